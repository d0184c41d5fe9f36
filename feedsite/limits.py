"""Rate limits: counters in the Django cache, for the API (a DRF throttle) and the HTML forms.

Every limit is a scope of ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (``"N/second|minute|hour|day"``,
``None``: off), counted per shopper under the scope's name and per client address under
``<scope>_address``; a request past either is refused with 429 and ``Retry-After``. The shopper is the
account when signed in, else the signed visitor id the browser or API client sent (a request with
neither is counted by its address only). The client address is the connecting one, or the one
``NUM_PROXIES`` trusted proxies put in ``X-Forwarded-For`` (DRF's rule).

An API view names its scope (``throttle_scope = "comments"``, or a mapping from method to scope) and
may weigh a request (``throttle_cost(request)``: the events API counts events, not batches);
``ScopedLimit``, the default throttle class, does the rest. An HTML view is wrapped in
``@limited("signup")``, which counts its POSTs.

Counters are fixed windows: one atomic increment per key, both keys in one round trip to Redis. With
the cache unreachable, requests pass (logged): an outage of the cache must not close the site.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# What the lockout and limit pages answer: "slow down", which a well-behaved client retries later.
TOO_MANY_REQUESTS = 429


def rate_parse(rate: str | None) -> tuple[int, int] | None:
    """``"30/minute"`` → ``(30, 60)``; ``None`` (the limit is off) → ``None``."""
    if rate is None:
        return None
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0].lower()]


def client_address(request: HttpRequest | Request) -> str:
    """The client's address, behind ``NUM_PROXIES`` trusted proxies (DRF's ``get_ident``)."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]


def shopper_ident(request: HttpRequest | Request) -> str | None:
    """Who a per-shopper limit counts: the account, else the visitor id the client sent."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    sent = settings.VISITOR_COOKIE in request.COOKIES or "X-Visitor-Id" in request.headers
    visitor_id = getattr(request, "visitor_id", None)
    return f"visitor:{visitor_id}" if sent and visitor_id is not None else None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    # Seconds until the refusing window ends (None when allowed).
    retry_after: int | None = None
    # The scope that refused (``comments`` or ``comments_address``).
    refused_by: str | None = None


def limit_hit(*, scope: str, shopper: str | None, address: str, cost: int = 1, now: float | None = None) -> Verdict:
    """Count ``cost`` against ``scope`` for ``shopper`` and ``address``; refuse past either rate.

    A refused request is counted too: a client that keeps hammering stays refused until the window ends.
    """
    rates = cast("Mapping[str, str | None]", settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    now = time.time() if now is None else now
    counted: list[tuple[str, int, int, str]] = []  # (scope, limit, period, cache key)
    for name, ident in ((scope, shopper), (f"{scope}_address", address)):
        parsed = rate_parse(rates.get(name))
        if parsed is None or ident is None:
            continue
        limit, period = parsed
        counted.append((name, limit, period, f"limit:{name}:{ident}:{int(now // period)}"))
    if not counted:
        return Verdict(allowed=True)
    try:
        totals = window_hit([(key, period) for _, _, period, key in counted], cost=cost)
    except (RedisError, OSError):
        logger.warning("rate limits unavailable (cache unreachable): %s passes", scope, exc_info=True)
        return Verdict(allowed=True)
    for (name, limit, period, _), total in zip(counted, totals, strict=True):
        if total > limit:
            retry_after = max(1, math.ceil(period - now % period))
            return Verdict(allowed=False, retry_after=retry_after, refused_by=name)
    return Verdict(allowed=True)


def window_hit(keys: Sequence[tuple[str, int]], *, cost: int, backend: BaseCache | None = None) -> list[int]:
    """Add ``cost`` to each ``(key, period)`` counter (created expiring after its period); their totals.

    On Redis all keys are one pipelined round trip (``_window_hit_redis``); other caches go through the
    cache API (``_window_hit_plain``), which tests/feedsite/test_limits.py holds equal to it.
    """
    backend = caches["default"] if backend is None else backend
    if isinstance(backend, RedisCache):
        return _window_hit_redis(backend, keys, cost=cost)
    return _window_hit_plain(backend, keys, cost=cost)


def _window_hit_plain(backend: BaseCache, keys: Sequence[tuple[str, int]], *, cost: int) -> list[int]:
    totals = []
    for key, period in keys:
        backend.add(key, 0, timeout=period + 1)
        try:
            totals.append(backend.incr(key, cost))
        except ValueError:  # expired between the two calls
            backend.add(key, cost, timeout=period + 1)
            totals.append(cost)
    return totals


def _window_hit_redis(backend: RedisCache, keys: Sequence[tuple[str, int]], *, cost: int) -> list[int]:
    client = backend._cache.get_client(write=True)  # type: ignore[attr-defined]
    pipe = client.pipeline(transaction=False)
    for key, period in keys:
        raw_key = backend.make_and_validate_key(key)
        # The cache's serializer stores integers as plain numbers, so INCRBY and cache.get agree.
        pipe.set(raw_key, 0, ex=period + 1, nx=True)
        pipe.incrby(raw_key, cost)
    return [int(total) for total in pipe.execute()[1::2]]


def batch_cost(request: Request, *, key: str, max_body_bytes: int) -> int:
    """A batch API's ``throttle_cost``: the rows in the body's list ``key`` (at least one); a body
    too large to read counts one (it is refused, 413)."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > max_body_bytes:
        return 1
    body = request.data
    rows = body.get(key) if isinstance(body, dict) else None
    return max(1, len(rows)) if isinstance(rows, list) else 1


class ScopedLimit(BaseThrottle):
    """The default throttle: counts a request against its view's ``throttle_scope`` (views without one pass)."""

    def __init__(self) -> None:
        self.verdict = Verdict(allowed=True)

    def allow_request(self, request: Request, view: Any) -> bool:
        scope = getattr(view, "throttle_scope", None)
        if isinstance(scope, Mapping):
            scope = scope.get(request.method)
        if not scope:
            return True
        cost_of: Callable[[Request], int] | None = getattr(view, "throttle_cost", None)
        self.verdict = limit_hit(
            scope=scope,
            shopper=shopper_ident(request),
            address=self.get_ident(request),
            cost=cost_of(request) if cost_of is not None else 1,
        )
        return self.verdict.allowed

    def wait(self) -> float | None:
        return self.verdict.retry_after


def limited(scope: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit an HTML form view's POSTs by ``scope``: past the rate, the "slow down" page (429)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                verdict = limit_hit(scope=scope, shopper=shopper_ident(request), address=client_address(request))
                if not verdict.allowed:
                    return too_many_response(request, retry_after=verdict.retry_after or 1)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def too_many_response(request: HttpRequest, *, retry_after: int, locked_out: bool = False) -> HttpResponse:
    """The site's "slow down" page, 429 with ``Retry-After``."""
    minutes = max(1, math.ceil(retry_after / 60))
    context = {"minutes": minutes, "locked_out": locked_out}
    response = render(request, "limited.html", context, status=TOO_MANY_REQUESTS)
    response["Retry-After"] = str(retry_after)
    return response


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (``AXES_LOCKOUT_CALLABLE``), on the site's page."""
    cool_off = settings.AXES_COOLOFF_TIME
    return too_many_response(request, retry_after=int(cool_off.total_seconds()), locked_out=True)
