"""The OpenAPI schema at ``/api/schema/`` and its docs page at ``/api/docs/``."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from feedsite.schema import ERROR_STATUSES

pytestmark = pytest.mark.django_db


def _api_routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith("api/v1/"):
            route = prefix + str(pattern.pattern)
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    return yaml.safe_load(response.content)


def test_the_schema_describes_every_api_url(schema):
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == set(_api_routes(get_resolver().url_patterns))


def test_every_operation_documents_the_error_shape_for_every_error_status(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "extra"]
    for operations in schema["paths"].values():
        for operation in operations.values():
            for code in ERROR_STATUSES:
                response = operation["responses"][code]
                if "$ref" in response:
                    response = schema["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_feed_documents_its_query_and_its_page(schema):
    feed = schema["paths"]["/api/v1/feed"]["get"]
    parameters = {p["name"]: p["schema"] for p in feed["parameters"]}

    assert parameters["limit"] == {"type": "integer", "maximum": 50, "minimum": 1, "default": 10}
    assert parameters["cursor"]["maxLength"] == 512
    assert parameters["device"]["enum"] == ["desktop", "mobile", "tablet", "tv", "unknown"]
    page = feed["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][page]["required"]) == {"request_id", "next_cursor", "cards"}


def test_the_schema_names_the_ways_to_say_who_is_asking(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["visitorId"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Visitor-Id",
        "description": "An anonymous visitor's signed id, as the `fs_vid` cookie carries it.",
    }
    assert schemes["tokenAuth"]["type"] == "apiKey"
    assert schemes["cookieAuth"]["in"] == "cookie"
    assert {"visitorId": []} in schema["paths"]["/api/v1/cart"]["get"]["security"]


def test_the_schema_is_also_json():
    response = Client().get("/api/schema/?format=json")

    assert response.status_code == 200
    assert "/api/v1/events" in response.json()["paths"]


def test_the_docs_page_has_no_inline_script_or_style_and_only_local_files():
    client = Client()

    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=")

    assert "<style" not in page
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls
    assert all(url.startswith("/") for url in urls)
    for url in urls:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    assert "/api/docs/?script=" in urls
    assert script["Content-Type"].startswith("application/javascript")
    assert '"/api/schema/"' in script.content.decode()
