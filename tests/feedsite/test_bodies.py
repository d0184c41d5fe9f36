"""Body size limits: refused with 413 before anything reads the body (``feedsite.bodies``)."""

import asyncio
import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from feedsite.bodies import BodySizeLimit, path_ceiling
from profiles.models import Like, Shopper
from profiles.shop.models import CartLine
from tests.factories import ContentItemFactory, ProductFactory

pytestmark = pytest.mark.django_db

HUNDRED_MB = 100 * 1024 * 1024
EVENTS_MAX = 256 * 1024


class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def _declared(client: Client, method: str, path: str, length: int):
    return client.generic(
        method, path, content_type="application/json", CONTENT_LENGTH=str(length), **{"wsgi.input": Unreadable()}
    )


@pytest.mark.parametrize(
    ("method", "path", "max_bytes"),
    [
        ("POST", "/api/v1/events", EVENTS_MAX),
        ("POST", "/api/v1/cart/lines", 64 * 1024),
        ("PATCH", "/api/v1/cart/lines/{product}", 64 * 1024),
        ("PUT", "/api/v1/items/{item}/like", 64 * 1024),
        ("POST", "/api/v1/me/consent", 64 * 1024),
        ("POST", "/api/v1/me/erase", 64 * 1024),
        ("POST", "/api/v1/items/{item}/comments", 64 * 1024),
        ("GET", "/api/v1/feed", 64 * 1024),
    ],
)
def test_a_100_mb_body_is_refused_unread_in_the_error_shape(method, path, max_bytes):
    item, product = ContentItemFactory(), ProductFactory()
    shoppers = Shopper.objects.count()

    response = _declared(Client(), method, path.format(item=item.pk, product=product.pk), HUNDRED_MB)

    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "body_too_large",
            "message": f"The body is larger than the {max_bytes} bytes this endpoint accepts.",
            "extra": {"max_bytes": max_bytes},
        }
    }
    assert (Shopper.objects.count(), Like.objects.count(), CartLine.objects.count()) == (shoppers, 0, 0)


def test_a_body_one_byte_over_the_limit_is_refused_and_one_at_it_is_read():
    client = Client()
    at_limit = json.dumps({"personalization": False}).ljust(64 * 1024)

    over = client.post("/api/v1/me/consent", at_limit + " ", content_type="application/json")
    at = client.post("/api/v1/me/consent", at_limit, content_type="application/json")

    assert over.status_code == 413
    assert (at.status_code, at.json()) == (200, {"personalization": False})


def test_an_event_batch_keeps_its_larger_limit():
    body = json.dumps({"events": []}).ljust(200 * 1024)

    response = Client().post("/api/v1/events", body, content_type="application/json", HTTP_USER_AGENT="Mozilla/5.0")

    assert response.status_code == 200
    assert response.json()["accepted"] == 0


def test_outside_the_api_the_site_wide_ceiling_applies_unread():
    response = _declared(Client(), "POST", "/signin", settings.REQUEST_BODY_MAX_BYTES + 1)

    assert response.status_code == 413
    assert response.content == b"Request body too large."


def _views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_no_api_view_accepts_more_than_the_ceiling_the_asgi_guard_applies():
    limits = {
        path: getattr(getattr(view, "cls", None), "max_body_bytes", settings.API_BODY_MAX_BYTES)
        for path, view in _views(get_resolver().url_patterns)
        if path.startswith("api/")
    }

    assert limits["api/v1/events"] == EVENTS_MAX
    assert {path: limit for path, limit in limits.items() if limit > path_ceiling(f"/{path}")} == {}
    assert limits["api/v1/studio/items"] == settings.STUDIO_UPLOAD_MAX_BYTES


# The ASGI guard: Django's ASGI handler reads a whole body before any middleware runs.


class Inner:
    def __init__(self):
        self.received: list[dict] = []
        self.called = False

    async def __call__(self, scope, receive, send):
        self.called = True
        while True:
            message = await receive()
            self.received.append(message)
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _run(scope_headers, receive, path="/api/v1/events"):
    inner, sent = Inner(), []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": path, "method": "POST", "headers": scope_headers}
    asyncio.run(BodySizeLimit(inner)(scope, receive, send))
    return inner, sent


async def _never():
    raise AssertionError("the body was read")


def test_the_asgi_guard_refuses_a_declared_100_mb_body_without_reading_it():
    inner, sent = _run([(b"content-length", str(HUNDRED_MB).encode())], _never)

    assert not inner.called
    assert sent[0]["status"] == 413
    assert (b"content-type", b"application/json") in sent[0]["headers"]
    assert json.loads(sent[1]["body"])["error"]["extra"] == {"max_bytes": settings.API_BODY_CEILING_BYTES}


def test_the_asgi_guard_stops_reading_a_chunked_body_at_the_ceiling():
    chunk, reads = 64 * 1024, []

    async def endless():
        reads.append(chunk)
        return {"type": "http.request", "body": b"x" * chunk, "more_body": True}

    inner, sent = _run([(b"transfer-encoding", b"chunked")], endless)

    assert not inner.called
    assert sent[0]["status"] == 413
    assert sum(reads) == settings.API_BODY_CEILING_BYTES + chunk


def test_the_asgi_guard_hands_a_chunked_body_under_the_ceiling_on_intact():
    messages = [
        {"type": "http.request", "body": b'{"events"', "more_body": True},
        {"type": "http.request", "body": b": []}", "more_body": False},
    ]

    async def receive():
        return messages.pop(0)

    inner, sent = _run([(b"transfer-encoding", b"chunked")], receive)

    assert b"".join(m["body"] for m in inner.received) == b'{"events": []}'
    assert sent[0]["status"] == 200


def test_the_asgi_guard_passes_a_declared_body_under_the_ceiling_through():
    async def receive():
        return {"type": "http.request", "body": b"{}", "more_body": False}

    inner, sent = _run([(b"content-length", b"2")], receive)

    assert inner.received == [{"type": "http.request", "body": b"{}", "more_body": False}]
    assert sent[0]["status"] == 200


def test_the_asgi_guard_lets_a_large_upload_through_outside_the_api():
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    inner, sent = _run([(b"content-length", str(HUNDRED_MB).encode())], receive, path="/admin/content/add/")

    assert inner.called
    assert sent[0]["status"] == 200
