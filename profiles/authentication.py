"""Session authentication for the browser.

``BeaconSessionAuthentication`` (the events API): ``navigator.sendBeacon`` cannot set a CSRF
header. A beacon still carries the browser's ``Origin`` header, which a cross-site page cannot
forge; a POST whose Origin is this site is therefore accepted without the header, and any other
session POST needs the CSRF token as usual.

``VisitorSessionAuthentication`` (likes, follows, cart): CSRF for anonymous visitors too.

``ShopperTokenAuthentication`` (every API token): the user's shopper comes with the token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Field, Model
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from profiles.models import Follow, Interest, Shopper
from profiles.selectors import FollowsAndInterests, remember_follows_and_interests


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
    the shopper joined to the token and the user, the feed's hot path pays one query for both (on
    PostgreSQL the shopper's follows and interests too).
    The checks are DRF's own: an unknown key or an inactive user is refused.

    The statement is written out (``token_with_user_and_shopper``).
    """

    def authenticate_credentials(self, key: str) -> tuple[AbstractBaseUser, Token]:
        # PostgreSQL refuses a NUL in a text parameter; no key has one.
        token = None if "\x00" in key else token_with_user_and_shopper(key)
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return token.user, token


def token_with_user_and_shopper(key: str) -> Token | None:
    """The token of ``key`` as ``Token.objects.select_related("user__shopper")`` returns it, in one
    hand-written statement; on PostgreSQL the shopper's follows and interests come with it
    (``profiles.selectors.follows_and_interests`` then asks no query). None for an unknown key.

    Written out because the ORM compiling the ``select_related`` query cost several times what
    the database takes to answer it; tests/profiles/test_authentication.py holds it equal to the ORM.
    """
    return _token_query().read(key)


class _TokenQuery:
    """A token with its user and the user's shopper (or none yet), in one statement; the instances
    come out as ``select_related("user__shopper")`` leaves them (``user.shopper`` asks no query)."""

    def __init__(self) -> None:
        user_model = get_user_model()
        self.models: tuple[type[Model], ...] = (Token, user_model, Shopper)
        self.fields: list[Sequence[Field[Any, Any]]] = [m._meta.concrete_fields for m in self.models]
        qn = connection.ops.quote_name
        selected = ", ".join(
            f"{alias}.{qn(f.column)}" for alias, fields in zip("tus", self.fields, strict=True) for f in fields
        )
        # On PostgreSQL the shopper's follows and interests come along (two arrays, last): the feed
        # needs them, and a query of their own cost its page a round trip (``selectors.follows_and_interests``).
        self.with_follows_and_interests = connection.vendor == "postgresql"
        if self.with_follows_and_interests:
            selected += "".join(
                f", ARRAY(SELECT {column} FROM {qn(model._meta.db_table)} WHERE shopper_id = s.id)"
                for model, column in ((Follow, "creator_id"), (Interest, "tag_id"))
            )
        shopper_user = Shopper._meta.get_field("user").column
        self.sql = (
            f"SELECT {selected} FROM {qn(Token._meta.db_table)} t "
            f"JOIN {qn(user_model._meta.db_table)} u ON u.{qn(user_model._meta.pk.column)} = t.{qn('user_id')} "
            f"LEFT JOIN {qn(Shopper._meta.db_table)} s ON s.{qn(shopper_user)} = u.{qn(user_model._meta.pk.column)} "
            f"WHERE t.{qn(Token._meta.pk.column)} = %s"
        )
        # What the ORM's compiler applies to each column read (SQLite's dates and booleans, say).
        self.columns: list[tuple[Any, list[Callable[..., Any]]]] = []
        for model in self.models:
            for f in model._meta.concrete_fields:
                col = f.get_col(model._meta.db_table)
                self.columns.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
        self.attnames = [[f.attname for f in fields] for fields in self.fields]

    def read(self, key: str) -> Token | None:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [key])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        if self.with_follows_and_interests:
            *values, creators, tags = values
        for n, (col, converters) in enumerate(self.columns):
            for convert in converters:
                values[n] = convert(values[n], col, connection)
        instances: list[Any] = []
        for model, attnames in zip(self.models, self.attnames, strict=True):
            part, values = values[: len(attnames)], values[len(attnames) :]
            missing = part[attnames.index(model._meta.pk.attname)] is None  # the shopper of a user who has none yet
            instances.append(None if missing else model.from_db(connection.alias, attnames, part))
        token, user, shopper = instances
        token.user = user
        # As select_related leaves them: the shopper cached on the user (None: ``user.shopper`` raises).
        type(user).shopper.related.set_cached_value(user, shopper)
        if shopper is not None:
            Shopper.user.field.set_cached_value(shopper, user)
            if self.with_follows_and_interests:
                remember_follows_and_interests(shopper, FollowsAndInterests(creators=creators, tags=tags))
        return token


_token_queries: dict[tuple[str, str], _TokenQuery] = {}


def _token_query() -> _TokenQuery:
    """The statement for the current database (built once per process and database)."""
    key = (connection.alias, connection.vendor)
    if key not in _token_queries:
        _token_queries[key] = _TokenQuery()
    return _token_queries[key]
