"""A shopper's short-lived search intent: the brands, creators and tags of what they just searched.

Kept apart from the affinities (``rt:s:<shopper>:intent``): it fades in minutes rather than hours,
and the whole hash expires ``INTENT_TTL_SECONDS`` after the last search.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from feedsite import realtime
from profiles.events.state.keys import decayed_value, shopper_key

INTENT_HALF_LIFE_SECONDS = 30 * 60.0
INTENT_TTL_SECONDS = 3 * 3600
# Below this a decayed intent is forgotten (a search about four half-lives ago).
INTENT_MIN = 0.05


def shopper_intent_add(shopper_id: int, weights: Mapping[str, float], *, now: float | None = None) -> None:
    """Add ``weights`` (dim → value) to the shopper's intent at ``now``; what was there decays first.

    Not atomic across concurrent searches of one shopper (the later write wins a dim): intent is a hint.
    """
    if not weights:
        return
    now = time.time() if now is None else now
    key = shopper_key(shopper_id, "intent")
    client = realtime.client()
    dims = list(weights)
    old = client.hmget(key, dims)
    mapping = {}
    for dim, raw in zip(dims, old, strict=True):
        before = decayed_value(raw, now, INTENT_HALF_LIFE_SECONDS) if raw is not None else 0.0
        mapping[dim] = f"{before + weights[dim]:.6f}|{now:.3f}"
    with client.pipeline() as pipe:
        pipe.hset(key, mapping=mapping)
        pipe.expire(key, INTENT_TTL_SECONDS)
        pipe.execute()


def shopper_intent(shopper_id: int, *, now: float | None = None) -> dict[str, float]:
    """``{"brand:4": 0.8, …}``: the shopper's search intent decayed to ``now`` (faded dims left out)."""
    return intent_decode(realtime.client().hgetall(shopper_key(shopper_id, "intent")), now=now)


def intent_decode(raw: dict[bytes, bytes], *, now: float | None = None) -> dict[str, float]:
    """The intent hash as read (HGETALL, e.g. in a caller's pipeline), decayed to ``now``."""
    now = time.time() if now is None else now
    decayed = {field.decode(): decayed_value(value, now, INTENT_HALF_LIFE_SECONDS) for field, value in raw.items()}
    return {dim: value for dim, value in decayed.items() if value >= INTENT_MIN}
