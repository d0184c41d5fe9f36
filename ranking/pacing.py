"""Promoted pacing: each promoted item gets at most a daily budget of impressions.

The count lives in the real-time store, one hash per UTC day (item id → impressions served).
Serving asks ``over_budget`` before arranging a page and calls ``spend`` once the page is served.
Check and spend are separate round trips, so concurrent requests may overshoot a budget by at most
one impression each. With the store down, pacing fails open: nothing is over budget and nothing is
counted, and promoted cards are then limited by the policy's ``max`` quota rules alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import UTC, datetime

from django.utils import timezone

from feedsite import realtime

# Two days: yesterday's hash outlives midnight for whoever still reads it, then goes.
KEY_TTL_SECONDS = 2 * 24 * 3600


def day_key(now: datetime | None = None) -> str:
    return f"pacing:promoted:{(now or timezone.now()).astimezone(UTC).strftime('%Y%m%d')}"


def spend(item_ids: Iterable[int], *, now: datetime | None = None) -> None:
    """Count one impression today for each of ``item_ids`` (promoted items just served); one round trip."""
    ids = list(item_ids)
    if not ids:
        return
    key = day_key(now)
    with contextlib.suppress(*realtime.RealtimeUnavailable):
        pipe = realtime.client().pipeline(transaction=False)
        for item in ids:
            pipe.hincrby(key, str(item), 1)
        pipe.expire(key, KEY_TTL_SECONDS)
        pipe.execute()


def over_budget(item_ids: Iterable[int], *, budget: int, now: datetime | None = None) -> set[int]:
    """Those of ``item_ids`` that had ``budget`` impressions or more today; none when ``budget`` is 0
    (no budget) or the store is down. At most one round trip."""
    ids = list(item_ids)
    if budget <= 0 or not ids:
        return set()
    try:
        counts = realtime.client().hmget(day_key(now), [str(item) for item in ids])
    except realtime.RealtimeUnavailable:
        return set()
    return {item for item, count in zip(ids, counts, strict=True) if count is not None and int(count) >= budget}
