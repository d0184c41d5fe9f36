"""Real-time state in the real-time store: decayed affinities and counters, recent items, sessions.

Keys (all expire):

    rt:s:<shopper>:aff      hash  "<dim>:<id>" → "value|ts"   decayed affinity (dims: tag, cat, brand, creator, price)
    rt:s:<shopper>:recent   list  "<item>:<type>:<ts>", newest first (written at ingestion: read-your-writes)
    rt:s:<shopper>:sess     hash  session id, start, depth, last event time
    rt:i:<item>             hash  "<type>:<window>" → "value|ts" decayed counters; "n:<type>" → running total
    rt:c:<creator>          hash  the same, per creator
    rt:p:<product>          hash  the same, per product (carts and purchases)
    rt:i:<item>:rank        string  the ranker's counters (``RANKING_COLUMNS``), then their time: "%017.6f" each
    rt:c:<creator>:rank     string  the same, per creator

Decayed counters stand in for sliding windows: a count with a half-life of 1 h, 24 h or 7 d is
updated in O(1), read in O(1) and weighs recent events most, which is what ranking wants.
Applying an event is idempotent: a marker per event id makes a replay a no-op.

The ranker's counters (engagements and impressions over each window) are kept apart, packed in one
string per item and creator, because a page reads them for ~300 candidates and their creators: one
MGET and one parse of 300 + 300 keys take ~0.8 ms, where reading the nine engagement types' fields
out of the hashes and summing them took 22–24 ms (in a Lua script or a pipeline alike; each field
lookup scans a small hash) and even six summed fields per hash 10 ms in Lua.
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
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
# What the ranker counts per item and creator (``ranking.features``), defined once for the consumer
# and for training (``ranking.history.COUNTER_KIND``): impressions, and the counted types that show
# interest (those of ``history.EVENT_GRADE`` > 0; a test checks that they agree).
IMPRESSION = "impression"
ENGAGEMENT_TYPES = tuple(t for t in COUNTED_TYPES if t not in (IMPRESSION, "skip", "hide"))
RANKING_KINDS = ("engaged", "shown")
RANKING_KIND_OF = dict.fromkeys(ENGAGEMENT_TYPES, "engaged") | {IMPRESSION: "shown"}
# The packed values of a ``:rank`` key, in order (then the time they are as of), and their half-lives.
RANKING_COLUMNS = tuple(f"{kind}:{window}" for kind in RANKING_KINDS for window in WINDOWS)
RANKING_HALF_LIVES = tuple(WINDOWS[column.partition(":")[2]] for column in RANKING_COLUMNS)
# Each packed value is written "%017.6f" (ten digits, a point, six decimals; _APPLY) and followed by a
# space, so that a page's ~4,000 values parse as one array of digits: 0.2 ms for 600 keys, where
# float() on each value took 0.7 ms. A value of 10¹⁰ or more would not fit: its key reads as not found.
_PACKED_WIDTH = 18
_PACKED_DIGITS = np.r_[0:10, 11:17]  # the columns of the digits (10 is the point)
_PACKED_PLACES = 10.0 ** np.r_[9:-1:-1, -1:-7:-1]
# Where a counted type's decay factors (one per window, in ``WINDOWS`` order) start among those columns.
_RANKING_OFFSET = {t: RANKING_KINDS.index(kind) * len(WINDOWS) for t, kind in RANKING_KIND_OF.items()}
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


# ARGV[1]: JSON {"ids": [event ids], "d": [[key, field, halflife, ts, weight]…], "n": [[key, field, inc]…],
# "r": [[key, ts, [weight per ranking column]]…], "rh": [half-life per ranking column]} with the updates
# of all the events, merged. ARGV[2], ARGV[3]: marker and state TTLs.
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
local PACKED = '%017.6f'
for _, u in ipairs(batch.r) do
  local key, ts, weights = u[1], u[2], u[3]
  local stored, ot = {}, ts
  local old = redis.call('GET', key)
  if old then
    for x in string.gmatch(old, '%S+') do table.insert(stored, tonumber(x)) end
    ot = table.remove(stored)
  end
  -- nothing stored yet, or packed with other columns (before an upgrade): start afresh
  if #stored ~= #batch.rh then stored, ot = nil, ts end
  local at = math.max(ts, ot)
  local packed = {}
  for j, halflife in ipairs(batch.rh) do
    local value = weights[j] * math.pow(2, -(at - ts) / halflife)
    if stored then value = value + stored[j] * math.pow(2, -(at - ot) / halflife) end
    packed[j] = string.format(PACKED, value)
  end
  table.insert(packed, string.format(PACKED, at))
  redis.call('SET', key, table.concat(packed, ' '), 'EX', state_ttl)
end
return {}
"""


def shopper_key(shopper_id: int, part: str) -> str:
    return f"rt:s:{shopper_id}:{part}"


def item_key(item_id: int) -> str:
    return f"rt:i:{item_id}"


def creator_key(creator_id: int) -> str:
    return f"rt:c:{creator_id}"


def ranking_key(counter_key: str) -> str:
    """Where the ranker's counters of a counter hash (an item's or a creator's) are packed."""
    return f"{counter_key}:rank"


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


def _ranked_keys(payload: dict[str, Any], meta: ItemMeta | None) -> list[str]:
    """The counter hashes the ranker reads for an event: its item's and its creator's."""
    keys = [item_key(payload["i"])]
    if meta is not None and meta.creator is not None:
        keys.append(creator_key(meta.creator))
    return keys


def _counter_keys(payload: dict[str, Any], meta: ItemMeta | None) -> list[str]:
    """The counter hashes an event counts in: its item's, its creator's and, for shopping, its product's."""
    keys = _ranked_keys(payload, meta)
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
        return {"ids": [], "d": [], "n": [], "r": [], "rh": RANKING_HALF_LIVES}
    at = max(float(p["ts"]) for p in payloads)
    affinity_halflife = settings.FEED_AFFINITY_HALF_LIFE_HOURS * 3600.0
    windows = [(f":{window}", halflife) for window, halflife in WINDOWS.items()]
    decayed: defaultdict[tuple[str, str, float], float] = defaultdict(float)  # (key, field, half-life) → value at T
    totals: defaultdict[tuple[str, str], int] = defaultdict(int)
    ranked: defaultdict[str, list[float]] = defaultdict(lambda: [0.0] * len(RANKING_COLUMNS))  # packed, at T
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
            offset = _RANKING_OFFSET.get(event_type)
            if offset is not None:
                for key in _ranked_keys(payload, meta):
                    packed = ranked[ranking_key(key)]
                    for n, (_, _, value) in enumerate(fields):
                        packed[offset + n] += value
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
        "r": [[key, at, values] for key, values in ranked.items()],
        "rh": RANKING_HALF_LIVES,
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


# KEYS: counter hashes; ARGV: fields. Each hash's fields in order, flat ("" where absent): many
# hashes' totals in one command, where an HMGET each cost a page ~10 µs of client work per item.
_TOTALS = """
local out = {}
for _, key in ipairs(KEYS) do
  local values = redis.call('HMGET', key, unpack(ARGV))
  for j = 1, #ARGV do out[#out + 1] = values[j] or '' end
end
return out
"""


def _totals_queue(pipe: Any, ids: Sequence[int], fields: Sequence[str]) -> None:
    """Queue the read of ``fields`` of the items ``ids`` on ``pipe`` (one command; decode with ``_totals_decode``)."""
    pipe.eval(_TOTALS, len(ids), *(item_key(pk) for pk in ids), *fields)


def _totals_decode(ids: Sequence[int], fields: Sequence[str], reply: list[bytes]) -> dict[int, dict[str, float]]:
    width = len(fields)
    return {
        item_id: {field: float(raw or 0) for field, raw in zip(fields, reply[n * width : (n + 1) * width], strict=True)}
        for n, item_id in enumerate(ids)
    }


def item_totals(item_ids: Iterable[int], fields: Sequence[str]) -> dict[int, dict[str, float]]:
    """The all-time totals ``fields`` (e.g. ``"n:share"``) of many items, 0 when absent; one round trip.

    Cheaper than ``item_counters`` where only a few totals matter: nothing else is sent or decoded.
    """
    ids = list(item_ids)
    if not ids or not fields:
        return {}
    pipe = realtime.client().pipeline(transaction=False)
    _totals_queue(pipe, ids, fields)
    return _totals_decode(ids, fields, pipe.execute()[0])


@dataclass(frozen=True)
class RankingCounters:
    """The ranker's counters of some items and creators (``RANKING_COLUMNS``), decayed to one moment."""

    items: np.ndarray  # float64, one row per item asked
    item_found: np.ndarray  # bool: the item has counters (it had a counted event within the state's TTL)
    creators: np.ndarray
    creator_found: np.ndarray
    totals: dict[int, dict[str, float]]  # the running totals asked, of the items asked (``item_totals``)


def ranking_decode(replies: Sequence[bytes | None], *, now: float) -> tuple[np.ndarray, np.ndarray]:
    """Packed ranking counters (an MGET's replies) → (values decayed to ``now``, found).

    A value packed otherwise than this code packs (other columns: written before an upgrade; too
    large a count) counts as not found.
    """
    fields = len(RANKING_COLUMNS) + 1
    size = fields * _PACKED_WIDTH - 1  # no space after the last value
    found = np.fromiter((reply is not None and len(reply) == size for reply in replies), bool, len(replies))
    whole = [reply for reply in replies if reply is not None and len(reply) == size]
    chars = np.frombuffer(b" ".join(whole) + b" ", np.uint8)[: len(whole) * (size + 1)]
    chars = chars.reshape(len(whole), fields, _PACKED_WIDTH)
    digits = chars[:, :, _PACKED_DIGITS] - np.uint8(ord("0"))  # a non-digit wraps past 9
    per_key = digits.reshape(len(chars), fields * len(_PACKED_DIGITS))
    fits = (per_key.max(axis=1, initial=0) <= 9) & (chars[:, :, 10] == ord(".")).all(axis=1)
    # one 2-D float product: integer or 3-D products skip BLAS and cost ten times as much
    packed = (digits.reshape(-1, len(_PACKED_DIGITS)).astype(np.float64) @ _PACKED_PLACES).reshape(-1, fields)[fits]
    found[found] = fits
    age = np.maximum(now - packed[:, -1:], 0.0)
    values = np.zeros((len(replies), len(RANKING_COLUMNS)))
    values[found] = packed[:, :-1] * np.exp2(-age / np.asarray(RANKING_HALF_LIVES))
    return values, found


def ranking_counters(
    item_ids: Sequence[int],
    creator_ids: Sequence[int],
    *,
    now: float,
    totals_of: Sequence[int] = (),
    totals: Sequence[str] = (),
) -> RankingCounters:
    """The ranker's counters of items and creators decayed to ``now``, and the running totals
    ``totals`` of the items ``totals_of``: one round trip (an MGET, one script for the totals)."""
    keys = [ranking_key(item_key(pk)) for pk in item_ids] + [ranking_key(creator_key(pk)) for pk in creator_ids]
    pipe = realtime.client().pipeline(transaction=False)
    if keys:
        pipe.mget(keys)
    if totals_of and totals:
        _totals_queue(pipe, totals_of, totals)
    replies = pipe.execute()
    values, found = ranking_decode(replies.pop(0) if keys else [], now=now)
    n = len(item_ids)
    return RankingCounters(
        items=values[:n],
        item_found=found[:n],
        creators=values[n:],
        creator_found=found[n:],
        totals=_totals_decode(totals_of, totals, replies[0]) if replies else {},
    )


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
