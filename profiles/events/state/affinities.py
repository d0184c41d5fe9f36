"""Each shopper's decayed affinities to tags, categories, brands, creators and price bands."""

from __future__ import annotations

import time

from django.conf import settings

from feedsite import realtime
from profiles.events.meta import ItemMeta
from profiles.events.state.keys import decayed_value, shopper_key
from profiles.events.types import EventType


def affinity_weight(kind: EventType, *, value: float | None, dwell_ms: int | None) -> float:
    """The affinity an event of ``kind`` adds (``EventType.affinity``, scaled by ``affinity_scale``):
    ratings weigh by stars (3 neutral), dwell by seconds (capped), video progress by its share."""
    if kind.affinity_scale == "stars" and value is not None:
        return (value - 2.5) * 1.5
    if kind.affinity_scale == "dwell":
        return min((dwell_ms or 0) / 10_000.0, 2.0)
    if kind.affinity_scale == "percent" and value is not None:
        return kind.affinity * value / 100.0
    return kind.affinity


def affinity_dims(meta: ItemMeta, *, price: bool = True) -> list[str]:
    """The affinity fields an event on an item feeds: its tags, categories, brand, creator, price band."""
    dims = [f"tag:{t}" for t in meta.tags] + [f"cat:{c}" for c in meta.categories]
    if meta.brand is not None:
        dims.append(f"brand:{meta.brand}")
    if meta.creator is not None:
        dims.append(f"creator:{meta.creator}")
    if price and meta.price_band is not None:
        dims.append(f"price:{meta.price_band}")
    return dims


def shopper_affinities(shopper_id: int, *, now: float | None = None) -> dict[str, float]:
    """``{"tag:12": 3.1, "brand:4": -0.5, …}`` decayed to ``now``."""
    now = time.time() if now is None else now
    halflife = settings.FEED_AFFINITY_HALF_LIFE_HOURS * 3600.0
    raw: dict[bytes, bytes] = realtime.client().hgetall(shopper_key(shopper_id, "aff"))
    return {field.decode(): decayed_value(value, now, halflife) for field, value in raw.items()}
