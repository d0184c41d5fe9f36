"""Gives every anonymous browser a signed visitor id, so its history can follow it to sign-in.

A visitor id names an anonymous identity only: once it is merged into an account (sign-in) it is
retired, and the browser gets a new one (``visitor_rotate``), as it does on sign-out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

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


def visitor_rotate(request: Any) -> uuid.UUID:
    """Give the request's browser a new visitor id, a new anonymous identity with nothing yet;
    the response carries it (``VisitorMiddleware``). Returns it.

    For sign-in and sign-out, and for a request whose visitor id is retired (merged into an
    account). ``request`` may be DRF's ``Request``: the id is set on the Django request it wraps.
    """
    http = getattr(request, "_request", request)
    http.visitor_id = uuid.uuid4()
    return http.visitor_id


def visitor_rotate_on_sign_in_or_out(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """``user_logged_in`` / ``user_logged_out`` (every sign-in and sign-out: the site's, the admin's,
    erasure's): the browser leaves with a new visitor id. Signed in, the old one is merged into the
    account and retired; signed out, the browser must carry nothing of the account."""
    if request is not None:
        visitor_rotate(request)


class VisitorMiddleware:
    """Sets ``request.visitor_id``; issues the cookie the first time a browser shows up, and again
    whenever the id changed while the request was handled (``visitor_rotate``). A request with an
    ``Authorization`` header is an API client's, not a browser's: it is issued none unless rotated."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = visitor_id_read(request)
        request.visitor_id = sent or uuid.uuid4()  # type: ignore[attr-defined]
        # An API client that sends a token is known by it and keeps no cookies: none is signed for it.
        issued = sent is None and "Authorization" not in request.headers
        response = self.get_response(request)
        rotated = sent is not None and request.visitor_id != sent  # type: ignore[attr-defined]
        if (issued or rotated) and not request.path.startswith(("/static/", "/media/")):
            if settings.VISITOR_COOKIE in response.cookies:
                return response  # the view set or deleted the cookie itself (erasure)
            response.set_cookie(
                settings.VISITOR_COOKIE,
                visitor_id_sign(request.visitor_id),  # type: ignore[attr-defined]
                max_age=settings.VISITOR_COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=not settings.DEBUG,
            )
        return response
