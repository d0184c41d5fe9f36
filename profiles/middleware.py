"""Gives every anonymous browser a signed visitor id, so its history can follow it to sign-in."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

VISITOR_SALT = "feedsite.visitor"


def visitor_id_read(request: HttpRequest) -> uuid.UUID | None:
    """The visitor id from the signed cookie (or ``X-Visitor-Id`` header for API clients), if valid."""
    raw = request.COOKIES.get(settings.VISITOR_COOKIE) or request.headers.get("X-Visitor-Id")
    if not raw:
        return None
    try:
        return uuid.UUID(signing.Signer(salt=VISITOR_SALT).unsign(raw))
    except (signing.BadSignature, ValueError):
        return None


def visitor_id_sign(visitor_id: uuid.UUID) -> str:
    return signing.Signer(salt=VISITOR_SALT).sign(str(visitor_id))


class VisitorMiddleware:
    """Sets ``request.visitor_id``; issues the cookie the first time a browser shows up (a request
    with an ``Authorization`` header is an API client's, not a browser's: it gets none)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        visitor_id = visitor_id_read(request)
        # An API client that sends a token is known by it and keeps no cookies: none is signed for it.
        issued = visitor_id is None and "Authorization" not in request.headers
        request.visitor_id = visitor_id or uuid.uuid4()  # type: ignore[attr-defined]
        response = self.get_response(request)
        if issued and not request.path.startswith(("/static/", "/media/")):
            response.set_cookie(
                settings.VISITOR_COOKIE,
                visitor_id_sign(request.visitor_id),  # type: ignore[attr-defined]
                max_age=settings.VISITOR_COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=not settings.DEBUG,
            )
        return response
