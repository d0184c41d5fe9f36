"""Real-time state in the real-time store: decayed affinities and counters, recent items, sessions.

Keys (all expire):

    rt:s:<shopper>:aff      hash  "<dim>:<id>" → "value|ts"   decayed affinity (dims: tag, cat, brand, creator, price)
    rt:s:<shopper>:recent   list  "<item>:<type>:<ts>", newest first (written at ingestion: read-your-writes)
    rt:s:<shopper>:sess     hash  session id, start, depth, last event time
    rt:i:<item>             hash  "<type>:<window>" → "value|ts" decayed counters; "n:<type>" → running total
    rt:c:<creator>          hash  the same, per creator
    rt:p:<product>          hash  the same, per product (carts and purchases)

Decayed counters stand in for sliding windows: a count with a half-life of 1 h, 24 h or 7 d is
updated in O(1), read in O(1) and weighs recent events most, which is what ranking wants.
Applying an event is idempotent: a marker per event id makes a replay a no-op.
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings

from feedsite import realtime
from profiles.events.meta import ItemMeta

WINDOWS = {"1h": 3600.0, "24h": 86400.0, "7d": 7 * 86400.0}
COUNTED_TYPES = (
    "impression",
    "view",
    "open",
    "like",
    "share",
    "comment",
    "product_click",
    "add_to_cart",
    "purchase",
    "skip",
    "hide",
    "rate",
)
# How much one event says about what the shopper likes (a skip or a hide says "less of this").
AFFINITY_WEIGHTS = {
    "view": 0.5,
    "open": 1.0,
    "video_progress": 0.5,
    "like": 3.0,
    "unlike": -3.0,
    "share": 4.0,
    "comment": 3.0,
    "follow": 3.0,
    "product_click": 2.0,
    "add_to_cart": 5.0,
    "purchase": 8.0,
    "rate": 2.0,
    "skip": -1.0,
    "hide": -6.0,
    "other": 1.0,
}
RECENT_MAX = 200
STATE_TTL_SECONDS = 30 * 86400
APPLIED_MARKER_TTL_SECONDS = 7 * 86400
SESSION_GAP_SECONDS = 30 * 60


def affinity_weight(event_type: str, *, value: float | None, dwell_ms: int | None) -> float:
    """The affinity an event adds. Ratings weigh by stars (3 neutral), dwell by seconds (capped)."""
    if event_type == "rate" and value is not None:
        return (value - 2.5) * 1.5
    if event_type == "dwell":
        return min((dwell_ms or 0) / 10_000.0, 2.0)
    if event_type == "video_progress" and value is not None:
        return AFFINITY_WEIGHTS["video_progress"] * value / 100.0
    return AFFINITY_WEIGHTS.get(event_type, 0.0)


# ARGV[1]: JSON {"ids": [event ids], "d": [[key, field, halflife, ts, weight]…], "n": [[key, field, inc]…]}
# with the updates of all the events, merged. ARGV[2], ARGV[3]: marker and state TTLs.
# All or nothing: if any event was applied before, nothing is applied and those ids are returned,
# so the caller merges again without them. Atomic, hence safe against a concurrent replay.
_APPLY = """
local batch = cjson.decode(ARGV[1])
local marker_ttl, state_ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
local seen = {}
for _, id in ipairs(batch.ids) do
  if redis.call('EXISTS', 'rt:applied:' .. id) == 1 then table.insert(seen, id) end
end
if #seen > 0 then return seen end
for _, id in ipairs(batch.ids) do
  redis.call('SET', 'rt:applied:' .. id, 1, 'EX', marker_ttl)
end
local touched = {}
for _, u in ipairs(batch.d) do
  local key, field, halflife, ts, weight = u[1], u[2], u[3], u[4], u[5]
  local old = redis.call('HGET', key, field)
  local value, at = weight, ts
  if old then
    local sep = string.find(old, '|', 1, true)
    local ov, ot = tonumber(string.sub(old, 1, sep - 1)), tonumber(string.sub(old, sep + 1))
    if ts >= ot then
      value = ov * math.pow(2, -(ts - ot) / halflife) + weight
    else
      value = ov + weight * math.pow(2, -(ot - ts) / halflife)
      at = ot
    end
  end
  redis.call('HSET', key, field, string.format('%.6g|%.3f', value, at))
  touched[key] = true
end
for _, u in ipairs(batch.n) do
  redis.call('HINCRBY', u[1], u[2], u[3])
  touched[u[1]] = true
end
for key in pairs(touched) do redis.call('EXPIRE', key, state_ttl) end
return {}
"""


def shopper_key(shopper_id: int, part: str) -> str:
    return f"rt:s:{shopper_id}:{part}"


def item_key(item_id: int) -> str:
    return f"rt:i:{item_id}"


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


def _counter_keys(payload: dict[str, Any], meta: ItemMeta | None) -> list[str]:
    """The counter hashes an event counts in: its item's, its creator's and, for shopping, its product's."""
    keys = [item_key(payload["i"])]
    if meta is not None and meta.creator is not None:
        keys.append(f"rt:c:{meta.creator}")
    if payload["t"] in ("add_to_cart", "purchase", "product_click"):
        product = payload.get("p") or (meta.products[0] if meta and meta.products else None)
        if product is not None:
            keys.append(f"rt:p:{product}")
    return keys


def _merged(payloads: Sequence[dict[str, Any]], metas: dict[int, ItemMeta]) -> dict[str, Any]:
    """All updates of a batch, merged per (key, field), as of the batch's latest event time.

    Decay is linear, so the events on one counter fold into one update at a common time T:
    Σ wᵢ·2^(−(T − tᵢ)/h). Each event's decay factors are computed once per half-life, and the
    per-field work is a single addition. A batch of 2,000 events on popular items shrinks to a few
    thousand updates, which is what keeps the consumer ahead of ingestion.
    """
    if not payloads:
        return {"ids": [], "d": [], "n": []}
    at = max(float(p["ts"]) for p in payloads)
    affinity_halflife = settings.FEED_AFFINITY_HALF_LIFE_HOURS * 3600.0
    windows = [(f":{window}", halflife) for window, halflife in WINDOWS.items()]
    decayed: defaultdict[tuple[str, str, float], float] = defaultdict(float)  # (key, field, half-life) → value at T
    totals: defaultdict[tuple[str, str], int] = defaultdict(int)
    dims_of: dict[int, list[str]] = {}
    for payload in payloads:
        event_type, item = payload["t"], payload["i"]
        age = at - float(payload["ts"])
        meta = metas.get(item)
        if event_type in COUNTED_TYPES:
            total = f"n:{event_type}"
            fields = [(event_type + suffix, halflife, math.exp2(-age / halflife)) for suffix, halflife in windows]
            for key in _counter_keys(payload, meta):
                totals[(key, total)] += 1
                for field, halflife, value in fields:
                    decayed[(key, field, halflife)] += value
        elif event_type == "unlike":
            totals[(item_key(item), "n:like")] -= 1
        weight = affinity_weight(event_type, value=payload.get("v"), dwell_ms=payload.get("dw"))
        if weight and meta is not None:
            dims = dims_of.get(item)
            if dims is None:
                dims = dims_of[item] = affinity_dims(meta)
            aff = shopper_key(payload["s"], "aff")
            value = weight * math.exp2(-age / affinity_halflife)
            for dim in dims:
                decayed[(aff, dim, affinity_halflife)] += value
    return {
        "ids": [p["e"] for p in payloads],
        "d": [[key, field, halflife, at, value] for (key, field, halflife), value in decayed.items()],
        "n": [[key, field, inc] for (key, field), inc in totals.items()],
    }


def apply_events(payloads: Sequence[dict[str, Any]], metas: dict[int, ItemMeta], *, client: Any = None) -> int:
    """Fold events into the real-time state; returns how many were new. Idempotent per event id.

    ``client`` defaults to the request-path client; workers pass ``realtime.worker_client()``.
    """
    client = client or realtime.client()
    script = client.register_script(_APPLY)
    pending = list({p["e"]: p for p in payloads}.values())
    while pending:
        batch = json.dumps(_merged(pending, metas), separators=(",", ":"))
        already = script(args=[batch, APPLIED_MARKER_TTL_SECONDS, STATE_TTL_SECONDS])
        if not already:
            return len(pending)
        done = {raw.decode() if isinstance(raw, bytes) else raw for raw in already}
        pending = [p for p in pending if p["e"] not in done]
    return 0


def decayed_value(raw: bytes | str, now: float, halflife: float) -> float:
    text = raw.decode() if isinstance(raw, bytes) else raw
    value, _, at = text.partition("|")
    return float(value) * 2.0 ** (-(max(now - float(at), 0.0)) / halflife)


def shopper_affinities(shopper_id: int, *, now: float | None = None) -> dict[str, float]:
    """``{"tag:12": 3.1, "brand:4": -0.5, …}`` decayed to ``now``."""
    now = time.time() if now is None else now
    halflife = settings.FEED_AFFINITY_HALF_LIFE_HOURS * 3600.0
    raw: dict[bytes, bytes] = realtime.client().hgetall(shopper_key(shopper_id, "aff"))
    return {field.decode(): decayed_value(value, now, halflife) for field, value in raw.items()}


def counters_decode(raw: dict[bytes, bytes], *, now: float) -> dict[str, float]:
    """One counters hash → ``{"like:24h": 3.2, "n:like": 7.0, …}``."""
    out: dict[str, float] = {}
    for field_raw, value in raw.items():
        field = field_raw.decode()
        if field.startswith("n:"):
            out[field] = float(value)
        else:
            window = field.rpartition(":")[2]
            out[field] = decayed_value(value, now, WINDOWS[window])
    return out


def item_counters(item_ids: Iterable[int], *, now: float | None = None) -> dict[int, dict[str, float]]:
    """Counters of many items in one round trip."""
    now = time.time() if now is None else now
    ids = list(item_ids)
    pipe = realtime.client().pipeline(transaction=False)
    for item_id in ids:
        pipe.hgetall(item_key(item_id))
    return {item_id: counters_decode(raw, now=now) for item_id, raw in zip(ids, pipe.execute(), strict=True)}


def item_totals(item_ids: Iterable[int], fields: Sequence[str]) -> dict[int, dict[str, float]]:
    """The all-time totals ``fields`` (e.g. ``"n:share"``) of many items, 0 when absent; one round trip.

    Cheaper than ``item_counters`` where only a few totals matter: nothing else is sent or decoded.
    """
    ids = list(item_ids)
    if not ids:
        return {}
    pipe = realtime.client().pipeline(transaction=False)
    for item_id in ids:
        pipe.hmget(item_key(item_id), list(fields))
    return {
        item_id: {field: float(raw or 0) for field, raw in zip(fields, values, strict=True)}
        for item_id, values in zip(ids, pipe.execute(), strict=True)
    }


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
