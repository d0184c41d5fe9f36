"""The API's error shape for what no API view answers: unknown URLs, wrong methods, server errors,
a refused CSRF check; Django's HTML pages stay outside ``/api/``."""

import json
import logging

import pytest
from django.test import Client, RequestFactory

from content.models import ContentItem
from feedsite.errors import csrf_failure
from profiles.models import Like, Shopper
from tests.factories import ContentItemFactory, UserFactory

pytestmark = pytest.mark.django_db


def _error(response) -> dict:
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "extra"}
    return body["error"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/nothing-here"),
        ("get", "/api/v2/feed"),
        ("get", "/api/v1/feed/"),
        ("put", "/api/v1/items/abc/like"),
        ("delete", "/api/v1/cart/lines/-1"),
        ("post", "/api/"),
    ],
)
def test_an_unknown_api_url_is_a_404_in_the_error_shape(method, path):
    response = getattr(Client(), method)(path)

    assert response.status_code == 404
    assert _error(response) == {
        "code": "not_found",
        "message": "No API endpoint has this URL.",
        "extra": {"path": path},
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/items/99999999999999999999/like",
        "/api/v1/creators/1000000000000000000/follow",
        "/api/v1/items/99999999999999999999/comments",
        "/api/v1/cart/lines/99999999999999999999",
    ],
)
def test_an_id_beyond_the_databases_integers_is_a_404_not_a_server_error(path):
    response = Client().put(path)

    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"
    assert not Like.objects.exists()


@pytest.mark.parametrize("path", ["/c/99999999999999999999", "/p/99999999999999999999"])
def test_a_page_id_beyond_the_databases_integers_is_a_404(path):
    response = Client().get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_wrong_method_on_an_api_url_is_a_405_in_the_error_shape():
    response = Client().delete("/api/v1/feed")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert _error(response) == {"code": "method_not_allowed", "message": 'Method "DELETE" not allowed.', "extra": {}}


def test_an_unknown_page_outside_the_api_stays_an_html_404():
    response = Client().get("/no-such-page")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.fixture
def failing_feed(monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the ranking broke")

    monkeypatch.setattr("ranking.apis.feed_page", fail)
    monkeypatch.setattr("ranking.views.feed_page", fail, raising=False)


def test_a_server_error_under_the_api_is_logged_and_answered_in_the_error_shape(failing_feed, caplog):
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/feed")

    assert response.status_code == 500
    assert _error(response) == {
        "code": "server_error",
        "message": "The server failed; it has been logged.",
        "extra": {},
    }
    assert "the ranking broke" in caplog.text
    assert "Internal Server Error: /api/v1/feed" in caplog.text


def test_a_server_error_outside_the_api_stays_the_html_page(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the page broke")

    monkeypatch.setattr("ranking.views.content_selectors.items_for_cards", fail)
    item = ContentItemFactory()

    response = Client(raise_request_exception=False).get(f"/c/{item.pk}")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert ContentItem.objects.filter(pk=item.pk).exists()


def test_an_unknown_api_url_needs_no_csrf_token_to_be_a_404():
    response = Client(enforce_csrf_checks=True).put("/api/v1/items/abc/like", {})

    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_a_refused_csrf_check_is_in_the_error_shape_under_the_api_only():
    factory = RequestFactory()

    api = csrf_failure(factory.post("/api/v1/anything"), reason="CSRF cookie not set.")
    page = csrf_failure(factory.post("/signin"), reason="CSRF cookie not set.")

    assert api.status_code == page.status_code == 403
    assert _error(api) == {
        "code": "permission_denied",
        "message": "CSRF check failed: CSRF cookie not set.",
        "extra": {},
    }
    assert page["Content-Type"].startswith("text/html")


# Inputs that made a server error (each case was a 500 before its fix), answered 4xx now.


def test_a_json_body_nested_too_deeply_is_a_parse_error():
    client = Client()
    shoppers = Shopper.objects.count()

    consent = client.post("/api/v1/me/consent", "[" * 30_000 + "]" * 30_000, content_type="application/json")
    events = client.post("/api/v1/events", "[" * 60_000, content_type="application/json")

    assert consent.status_code == events.status_code == 400
    assert _error(consent) == {"code": "parse_error", "message": "JSON parse error - nested too deeply.", "extra": {}}
    assert Shopper.objects.count() == shoppers


def test_a_token_with_a_nul_is_refused_as_any_unknown_token():
    response = Client(HTTP_AUTHORIZATION="Token abc\x00def").get("/api/v1/feed")

    assert response.status_code == 401
    assert _error(response)["message"] == "Invalid token."


@pytest.mark.parametrize(("path", "status"), [("/api/v1/feed", 200), ("/welcome", 200)])
def test_a_session_cookie_with_a_nul_is_no_session(path, status):
    response = Client(HTTP_COOKIE='sessionid="abcdefgh\\000"').get(path)

    assert response.status_code == status
    assert response.wsgi_request.user.is_anonymous


def test_an_order_number_with_a_nul_is_a_404():
    client = Client()
    client.force_login(UserFactory())

    response = client.get("/orders/FS-ABC%00DEF")

    assert response.status_code == 404
