"""The real-time state's keys, lifetimes and windows, and the decay of a stored "value|ts"."""

from __future__ import annotations

WINDOWS = {"1h": 3600.0, "24h": 86400.0, "7d": 7 * 86400.0}
RECENT_MAX = 200
STATE_TTL_SECONDS = 30 * 86400
APPLIED_MARKER_TTL_SECONDS = 7 * 86400
SESSION_GAP_SECONDS = 30 * 60


def shopper_key(shopper_id: int, part: str) -> str:
    return f"rt:s:{shopper_id}:{part}"


def item_key(item_id: int) -> str:
    return f"rt:i:{item_id}"


def creator_key(creator_id: int) -> str:
    return f"rt:c:{creator_id}"


def product_key(product_id: int) -> str:
    return f"rt:p:{product_id}"


def ranking_key(counter_key: str) -> str:
    """Where the ranker's counters of a counter hash (an item's or a creator's) are packed."""
    return f"{counter_key}:rank"


def decayed_value(raw: bytes | str, now: float, halflife: float) -> float:
    text = raw.decode() if isinstance(raw, bytes) else raw
    value, _, at = text.partition("|")
    return float(value) * 2.0 ** (-(max(now - float(at), 0.0)) / halflife)
