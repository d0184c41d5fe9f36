"""How much each shopper's events count in the counters: 1 unless told less (``rt:trust``).

One hash, shopper id → weight in [0, 1), holding only the shoppers who count less; the app that
judges shoppers (moderation's trust) writes it through ``shopper_count_weights_set`` and the
consumer reads it once per batch (``shopper_count_weights``, one HMGET). It never expires: a
shopper is put back at full weight by being set to 1.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from feedsite import realtime

WEIGHTS_KEY = "rt:trust"
FULL = 1.0


def shopper_count_weights_set(weights: Mapping[int, float], *, client: Any = None) -> None:
    """Store each shopper's counting weight (clamped to 0..1); a weight of 1 removes the shopper
    from the hash. One round trip."""
    client = client or realtime.client()
    lowered = {str(shopper): f"{max(weight, 0.0):.6g}" for shopper, weight in weights.items() if weight < FULL}
    full = [str(shopper) for shopper, weight in weights.items() if weight >= FULL]
    pipe = client.pipeline(transaction=False)
    if lowered:
        pipe.hset(WEIGHTS_KEY, mapping=lowered)
    if full:
        pipe.hdel(WEIGHTS_KEY, *full)
    pipe.execute()


def shopper_count_weights(shopper_ids: Collection[int], *, client: Any = None) -> dict[int, float]:
    """The counting weights of the shoppers among ``shopper_ids`` who count less (the others are
    left out: they count fully); one HMGET."""
    ids = list(shopper_ids)
    if not ids:
        return {}
    client = client or realtime.client()
    replies = client.hmget(WEIGHTS_KEY, [str(shopper) for shopper in ids])
    return {shopper: float(raw) for shopper, raw in zip(ids, replies, strict=True) if raw is not None}
