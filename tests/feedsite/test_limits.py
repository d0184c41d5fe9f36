"""Rate limits (``feedsite.limits``): what each API scope refuses, and the counters behind them."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from redis.exceptions import ConnectionError as RedisConnectionError

from content.models import Comment
from feedsite import limits
from feedsite.env import rate_limits_config
from feedsite.settings.api import THROTTLE_RATES
from tests.factories import ContentItemFactory, UserFactory
from tests.profiles.events.conftest import BROWSER_UA

pytestmark = pytest.mark.django_db


def set_rates(settings, **rates: str | None) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def signed_in() -> Client:
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(UserFactory())
    return client


def comment(client: Client, item_id: int):
    return client.post(f"/api/v1/items/{item_id}/comments", {"body": "Love it"}, content_type="application/json")


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"
    assert "throttled" in response.json()["error"]["message"]


def test_comments_past_the_accounts_rate_are_refused_and_not_stored(settings):
    set_rates(settings, comments="2/minute")
    item = ContentItemFactory()
    author, other = signed_in(), signed_in()

    made = [comment(author, item.pk).status_code for _ in range(2)]
    refused = comment(author, item.pk)

    assert made == [201, 201]
    assert_throttled(refused)
    assert Comment.objects.count() == 2
    assert comment(other, item.pk).status_code == 201  # per account: another one is not concerned


def test_comments_past_the_address_rate_are_refused_whoever_posts(settings):
    set_rates(settings, comments=None, comments_address="2/minute")
    item = ContentItemFactory()

    made = [comment(signed_in(), item.pk).status_code for _ in range(2)]
    refused = comment(signed_in(), item.pk)

    assert made == [201, 201]
    assert_throttled(refused)
    assert Comment.objects.count() == 2


def test_reading_comments_counts_against_the_catalog_not_the_comments_limit(settings):
    set_rates(settings, catalog="2/minute", comments="1/minute")
    item = ContentItemFactory()
    reader = signed_in()

    reads = [reader.get(f"/api/v1/items/{item.pk}/comments").status_code for _ in range(2)]

    assert reads == [200, 200]
    assert_throttled(reader.get(f"/api/v1/items/{item.pk}/comments"))
    assert comment(reader, item.pk).status_code == 201


def test_the_feed_is_limited_per_visitor_and_dropping_the_cookie_meets_the_address_limit(settings):
    set_rates(settings, catalog="2/minute", catalog_address="6/minute")
    visitor = Client(HTTP_USER_AGENT=BROWSER_UA)
    visitor.get("/api/v1/feed")  # sets the cookie; counted by the address only

    pages = [visitor.get("/api/v1/feed").status_code for _ in range(2)]
    assert pages == [200, 200]
    assert_throttled(visitor.get("/api/v1/feed"))
    # Cookie-less requests are counted by their address alone: two pages are left of its six.
    cookieless = [Client(HTTP_USER_AGENT=BROWSER_UA).get("/api/v1/feed").status_code for _ in range(3)]
    assert cookieless == [200, 200, 429]


def test_a_scope_turned_off_is_not_counted(settings):
    set_rates(settings, comments=None, comments_address=None)
    item = ContentItemFactory()
    author = signed_in()

    assert [comment(author, item.pk).status_code for _ in range(12)] == [201] * 12


def test_with_the_cache_unreachable_requests_pass(settings, monkeypatch):
    def down(*args, **kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr(limits, "window_hit", down)
    set_rates(settings, comments="1/minute")
    item = ContentItemFactory()
    author = signed_in()

    assert [comment(author, item.pk).status_code for _ in range(3)] == [201, 201, 201]


@pytest.mark.parametrize(
    ("num_proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),  # nobody in front: a header the client wrote is ignored
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the one proxy appended the real client
        (1, "", "10.0.0.9"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(settings, num_proxies, forwarded, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", **headers)

    assert limits.client_address(request) == expected


def test_window_counters_count_per_key_and_start_again_in_the_next_window():
    first = limits.limit_hit(scope="comments", shopper="user:1", address="10.0.0.1", now=60.0 * 1000)
    for _ in range(9):
        limits.limit_hit(scope="comments", shopper="user:1", address="10.0.0.1", now=60.0 * 1000 + 30)

    over = limits.limit_hit(scope="comments", shopper="user:1", address="10.0.0.1", now=60.0 * 1000 + 45)
    next_window = limits.limit_hit(scope="comments", shopper="user:1", address="10.0.0.1", now=60.0 * 1001)

    assert first.allowed
    assert next_window.allowed
    assert over == limits.Verdict(allowed=False, retry_after=15, refused_by="comments")


@pytest.mark.skipif(not isinstance(caches["default"], RedisCache), reason="the Redis fast path needs REDIS_URL")
def test_the_redis_fast_path_counts_as_the_cache_api_does():
    cache = caches["default"]
    keys = [("parity:a", 60), ("parity:b", 3600)]
    plain_keys = [("plain:a", 60), ("plain:b", 3600)]

    fast = [limits._window_hit_redis(cache, keys, cost=cost) for cost in (1, 3, 500)]
    plain = [limits._window_hit_plain(cache, plain_keys, cost=cost) for cost in (1, 3, 500)]

    assert fast == plain == [[1, 1], [4, 4], [504, 504]]
    assert cache.get("parity:a") == cache.get("plain:a") == 504
    client = cache._cache.get_client()
    assert 0 < client.ttl(cache.make_key("parity:b")) <= 3601


def test_rates_come_from_the_environment():
    rates = rate_limits_config({"RATE_LIMIT_COMMENTS": "5/minute", "RATE_LIMIT_EVENTS_ADDRESS": "off", "HOME": "/"})

    assert rates == {"comments": "5/minute", "events_address": None}
    with pytest.raises(ImproperlyConfigured):
        rate_limits_config({"RATE_LIMIT_COMMENTS": "lots"})


def test_every_scope_has_its_address_twin_and_a_readme_row():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    shopper_scopes = {scope for scope in THROTTLE_RATES if not scope.endswith("_address")}

    assert {f"{scope}_address" for scope in shopper_scopes} == set(THROTTLE_RATES) - shopper_scopes
    for scope, rate in THROTTLE_RATES.items():
        assert f"`RATE_LIMIT_{scope.upper()}`" in readme
        assert f"| {rate} | `RATE_LIMIT_{scope.upper()}`" in readme
