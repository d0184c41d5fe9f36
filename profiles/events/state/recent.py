"""Each shopper's recent list: their latest events, newest first, written at ingestion (read-your-writes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from feedsite import realtime
from profiles.events.state.keys import RECENT_MAX, shopper_key


def recent_decode(rows: list[bytes]) -> list[tuple[int, str, float]]:
    """Recent-list entries as (item, type, ts)."""
    out = []
    for row in rows:
        item, event_type, ts = row.decode().split(":")
        out.append((int(item), event_type, float(ts)))
    return out


def recent_encode(item: int, event_type: str, ts: float) -> str:
    """One recent-list entry (what ingestion pushes; ``recent_decode`` reads it back exactly)."""
    return f"{item}:{event_type}:{ts!r}"


def shopper_recent(shopper_id: int, *, limit: int = RECENT_MAX) -> list[tuple[int, str, float]]:
    """The shopper's latest events as (item, type, ts), newest first, including not yet consumed ones."""
    return recent_decode(realtime.client().lrange(shopper_key(shopper_id, "recent"), 0, limit - 1))


def shoppers_recent(shopper_ids: Sequence[int], *, client: Any = None) -> dict[int, list[tuple[int, str, float]]]:
    """``shopper_recent`` of many shoppers in one round trip (``client``: workers pass theirs)."""
    if not shopper_ids:
        return {}
    pipe = (client or realtime.client()).pipeline(transaction=False)
    for shopper_id in shopper_ids:
        pipe.lrange(shopper_key(shopper_id, "recent"), 0, RECENT_MAX - 1)
    return {shopper_id: recent_decode(rows) for shopper_id, rows in zip(shopper_ids, pipe.execute(), strict=True)}
