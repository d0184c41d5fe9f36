"""Session authentication for the browser.

``BeaconSessionAuthentication`` (the events API): ``navigator.sendBeacon`` cannot set a CSRF
header. A beacon still carries the browser's ``Origin`` header, which a cross-site page cannot
forge; a POST whose Origin is this site is therefore accepted without the header, and any other
session POST needs the CSRF token as usual.

``VisitorSessionAuthentication`` (likes, follows, cart): CSRF for anonymous visitors too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request


class BeaconSessionAuthentication(SessionAuthentication):
    def enforce_csrf(self, request: Request) -> None:
        origin = request.headers.get("Origin")
        if origin and not request.headers.get("X-CSRFToken"):
            parts = urlsplit(origin)
            if parts.netloc == request.get_host() and parts.scheme == request.scheme:
                return
        super().enforce_csrf(request)


class VisitorSessionAuthentication(SessionAuthentication):
    """Session authentication that also checks CSRF for anonymous visitors known by their cookie.

    DRF checks CSRF only for a signed-in session. A visitor's likes, follows and cart are theirs as
    much as an account's, so an unsafe request that carries the visitor cookie needs the token too.
    API clients without cookies (token, ``X-Visitor-Id``) are not concerned.
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        found = super().authenticate(request)
        if found is None and settings.VISITOR_COOKIE in request.COOKIES:
            self.enforce_csrf(request)
        return found
