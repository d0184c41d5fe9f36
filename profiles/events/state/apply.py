"""Folding a batch of consumed events into the real-time state, in one Lua script, idempotently."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from feedsite import realtime
from profiles.events.event import Event
from profiles.events.meta import ItemMeta
from profiles.events.state.affinities import affinity_dims, affinity_weight
from profiles.events.state.counters import RANKING_COLUMNS, RANKING_HALF_LIVES, RANKING_OFFSET
from profiles.events.state.keys import (
    APPLIED_MARKER_TTL_SECONDS,
    STATE_TTL_SECONDS,
    WINDOWS,
    creator_key,
    item_key,
    product_key,
    ranking_key,
    shopper_key,
)
from profiles.events.state.weights import shopper_count_weights
from profiles.events.types import BY_NAME

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


def _ranked_keys(event: Event, meta: ItemMeta | None) -> list[str]:
    """The counter hashes the ranker reads for an event: its item's and its creator's."""
    keys = [item_key(event.item_id)]
    if meta is not None and meta.creator is not None:
        keys.append(creator_key(meta.creator))
    return keys


def _counter_keys(event: Event, meta: ItemMeta | None, *, on_product: bool) -> list[str]:
    """The counter hashes an event counts in: its item's, its creator's and, for shopping, its product's."""
    keys = _ranked_keys(event, meta)
    if on_product:
        product = event.product_id or (meta.products[0] if meta and meta.products else None)
        if product is not None:
            keys.append(product_key(product))
    return keys


def _merged(
    events: Sequence[Event], metas: dict[int, ItemMeta], weights: dict[int, float] | None = None
) -> dict[str, Any]:
    """All updates of a batch, merged per (key, field), as of the batch's latest event time.

    A counted event of a shopper in ``weights`` adds that weight, not 1, to the decayed counters
    and the ranker's counters (their running total still counts it once).

    Decay is linear, so the events on one counter fold into one update at a common time T:
    Σ wᵢ·2^(−(T − tᵢ)/h). Each event's decay factors are computed once per half-life, and the
    per-field work is a single addition. A batch of thousands of events on popular items shrinks
    to a few thousand updates, which is what keeps the consumer ahead of ingestion.
    """
    if not events:
        return {"ids": [], "d": [], "n": [], "r": [], "rh": RANKING_HALF_LIVES}
    # consumed events are to the millisecond already: ``Event.timestamp``'s rounding is not needed here
    stamps = [event.occurred_at.timestamp() for event in events]
    at = max(stamps)
    affinity_halflife = settings.FEED_AFFINITY_HALF_LIFE_HOURS * 3600.0
    windows = [(f":{window}", halflife) for window, halflife in WINDOWS.items()]
    decayed: defaultdict[tuple[str, str, float], float] = defaultdict(float)  # (key, field, half-life) → value at T
    totals: defaultdict[tuple[str, str], int] = defaultdict(int)
    ranked: defaultdict[str, list[float]] = defaultdict(lambda: [0.0] * len(RANKING_COLUMNS))  # packed, at T
    dims_of: dict[int, list[str]] = {}
    for event, ts in zip(events, stamps, strict=True):
        kind = BY_NAME.get(event.type)
        if kind is None:
            continue
        item = event.item_id
        age = at - ts
        meta = metas.get(item)
        if kind.counted:
            total = f"n:{kind.name}"
            counts = weights.get(event.shopper_id, 1.0) if weights else 1.0
            fields = [
                (kind.name + suffix, halflife, counts * math.exp2(-age / halflife)) for suffix, halflife in windows
            ]
            for key in _counter_keys(event, meta, on_product=kind.on_product):
                totals[(key, total)] += 1
                for field, halflife, value in fields:
                    decayed[(key, field, halflife)] += value
            offset = RANKING_OFFSET.get(kind.name)
            if offset is not None:
                for key in _ranked_keys(event, meta):
                    packed = ranked[ranking_key(key)]
                    for n, (_, _, value) in enumerate(fields):
                        packed[offset + n] += value
        elif kind.undoes:
            totals[(item_key(item), f"n:{kind.undoes}")] -= 1
        weight = affinity_weight(kind, value=event.value, dwell_ms=event.dwell_ms)
        if weight and meta is not None:
            dims = dims_of.get(item)
            if dims is None:
                dims = dims_of[item] = affinity_dims(meta)
            aff = shopper_key(event.shopper_id, "aff")
            value = weight * math.exp2(-age / affinity_halflife)
            for dim in dims:
                decayed[(aff, dim, affinity_halflife)] += value
    return {
        "ids": [event.event_id for event in events],
        "d": [[key, field, halflife, at, value] for (key, field, halflife), value in decayed.items()],
        "n": [[key, field, inc] for (key, field), inc in totals.items()],
        "r": [[key, at, values] for key, values in ranked.items()],
        "rh": RANKING_HALF_LIVES,
    }


def apply_events(events: Sequence[Event], metas: dict[int, ItemMeta], *, client: Any = None) -> int:
    """Fold events into the real-time state; returns how many were new. Idempotent per event id.

    Counted events weigh by their shopper's counting weight (``weights.shopper_count_weights``, one
    HMGET per call). ``client`` defaults to the request-path client; workers pass
    ``realtime.worker_client()``.
    """
    client = client or realtime.client()
    script = client.register_script(_APPLY)
    pending = list({event.event_id: event for event in events}.values())
    weights = shopper_count_weights({event.shopper_id for event in pending}, client=client)
    while pending:
        batch = json.dumps(_merged(pending, metas, weights), separators=(",", ":"))
        already = script(args=[batch, APPLIED_MARKER_TTL_SECONDS, STATE_TTL_SECONDS])
        if not already:
            return len(pending)
        done = {raw.decode() if isinstance(raw, bytes) else raw for raw in already}
        pending = [event for event in pending if event.event_id not in done]
    return 0
