"""Session authentication for the browser.

``BeaconSessionAuthentication`` (the events API): ``navigator.sendBeacon`` cannot set a CSRF
header. A beacon still carries the browser's ``Origin`` header, which a cross-site page cannot
forge; a POST whose Origin is this site is therefore accepted without the header, and any other
session POST needs the CSRF token as usual.

``VisitorSessionAuthentication`` (likes, follows, cart): CSRF for anonymous visitors too.

``ShopperTokenAuthentication`` (every API token): the user's shopper comes with the token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
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


class ShopperTokenAuthentication(TokenAuthentication):
    """Token authentication that reads the user's shopper in the same query.

    Nearly every API request resolves its shopper (``profiles.services.shopper_for_request``); with
    the shopper joined to the token and the user, the feed's hot path pays one query for both.
    The checks are DRF's own: an unknown key or an inactive user is refused.
    """

    def authenticate_credentials(self, key: str) -> tuple[AbstractBaseUser, Token]:
        token = Token.objects.select_related("user__shopper").filter(key=key).first()
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return token.user, token
