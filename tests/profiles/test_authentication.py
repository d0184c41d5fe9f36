import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from profiles.authentication import token_with_user_and_shopper
from profiles.middleware import visitor_id_read
from profiles.models import Like, Shopper
from profiles.selectors import follows_and_interests
from ranking.models import FeedRequest
from tests.factories import ContentItemFactory, FollowFactory, InterestFactory, ShopperFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def test_a_token_brings_its_users_shopper_in_the_same_query():
    shopper = ShopperFactory(user=UserFactory())
    client = _client(shopper.user)

    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/feed").json()

    assert FeedRequest.objects.get(request_id=body["request_id"]).shopper_id == shopper.pk
    token_reads = [q["sql"] for q in queries if "authtoken_token" in q["sql"]]
    assert len(token_reads) == 1
    assert "profiles_shopper" in token_reads[0]
    # no query of its own for the user's shopper: the token's joins it
    assert not [q for q in queries if '"profiles_shopper"."user_id" =' in q["sql"]]


def test_a_token_user_without_a_shopper_yet_gets_one():
    user = UserFactory()

    body = _client(user).get("/api/v1/me/export").json()

    assert body["account"]["user"]["username"] == user.username
    assert user.shopper.pk == body["account"]["shopper_id"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/feed"),
        ("post", "/api/v1/events"),
        ("put", "/api/v1/items/{item}/like"),
        ("post", "/api/v1/cart/lines"),
        ("get", "/api/v1/me/export"),
        ("post", "/api/v1/items/{item}/comments"),
    ],
)
def test_an_unknown_token_or_an_inactive_user_is_a_401_with_its_challenge(method, path):
    item = ContentItemFactory()
    inactive = UserFactory(is_active=False)
    url = path.format(item=item.pk)
    shoppers = Shopper.objects.count()

    unknown = getattr(Client(HTTP_AUTHORIZATION="Token " + "0" * 40), method)(url, {}, content_type="application/json")
    refused = getattr(_client(inactive), method)(url, {}, content_type="application/json")

    assert (unknown.status_code, refused.status_code) == (401, 401)
    assert unknown["WWW-Authenticate"] == refused["WWW-Authenticate"] == "Token"
    assert unknown.json() == {"error": {"code": "authentication_failed", "message": "Invalid token.", "extra": {}}}
    assert refused.json()["error"] == {
        "code": "authentication_failed",
        "message": "User inactive or deleted.",
        "extra": {},
    }
    assert Shopper.objects.count() == shoppers
    assert not Like.objects.exists()


def test_a_token_client_gets_no_visitor_cookie_and_a_browser_does():
    shopper = ShopperFactory(user=UserFactory())

    by_token = _client(shopper.user).get("/api/v1/feed")
    by_browser = Client().get("/api/v1/feed")

    assert by_token.status_code == by_browser.status_code == 200
    assert settings.VISITOR_COOKIE not in by_token.cookies
    assert visitor_id_read(_with_cookie(by_browser.cookies[settings.VISITOR_COOKIE].value)) is not None
    # the token's shopper served the page, not a visitor made up for it
    assert FeedRequest.objects.get(request_id=by_token.json()["request_id"]).shopper_id == shopper.pk


def _with_cookie(value: str) -> HttpRequest:
    request = HttpRequest()
    request.COOKIES[settings.VISITOR_COOKIE] = value
    return request


def _fields(instance):
    if instance is None:
        return None
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _read(token):
    """Everything authentication hands on: the token, its user, the user's shopper and their picks."""
    if token is None:
        return None
    shopper = getattr(token.user, "shopper", None)
    picks = follows_and_interests(shopper=shopper) if shopper else None
    return _fields(token), _fields(token.user), _fields(shopper), picks and tuple(sorted(p) for p in picks)


@pytest.mark.parametrize("case", ["follows_and_interests", "nothing_picked", "no_shopper_yet", "inactive", "unknown"])
def test_the_token_fast_path_reads_what_the_orm_reads(case):
    user = UserFactory(is_active=case != "inactive")
    if case != "no_shopper_yet":
        shopper = ShopperFactory(user=user)
        if case == "follows_and_interests":
            FollowFactory.create_batch(2, shopper=shopper)
            InterestFactory.create_batch(3, shopper=shopper)
    FollowFactory(shopper=ShopperFactory(user=UserFactory()))  # someone else's, never read
    key = "0" * 40 if case == "unknown" else Token.objects.create(user=user).key

    with CaptureQueriesContext(connection) as queries:
        fast = token_with_user_and_shopper(key)
        getattr(fast and fast.user, "shopper", None)
    plain = Token.objects.select_related("user__shopper").filter(key=key).first()

    assert _read(fast) == _read(plain)
    assert (plain is None) == (case == "unknown")
    assert len(queries) == 1


@pytest.mark.postgresql_only
def test_on_postgresql_the_token_brings_the_shoppers_follows_and_interests():
    shopper = ShopperFactory(user=UserFactory())
    follows = FollowFactory.create_batch(2, shopper=shopper)
    interest = InterestFactory(shopper=shopper)
    token = token_with_user_and_shopper(Token.objects.create(user=shopper.user).key)

    with CaptureQueriesContext(connection) as queries:
        picks = follows_and_interests(shopper=token.user.shopper)

    assert (sorted(picks.creators), picks.tags) == (sorted(f.creator_id for f in follows), [interest.tag_id])
    assert len(queries) == 0
