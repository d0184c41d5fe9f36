"""Counters per item, creator and product: decayed over 1 h, 24 h and 7 d, and running totals.

The ranker's counters (engagements and impressions over each window) are kept apart, packed in one
string per item and creator (``ranking_key``), because a page reads them for hundreds of candidates
and their creators: one MGET and one vectorised parse, where reading each engagement type's fields
out of the hashes and summing them costs many times more. ``ranking_counters`` is that fast path;
the hashes (``item_counters``) are the plain version it equals (a test checks it).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from feedsite import realtime
from profiles.events.state.keys import WINDOWS, creator_key, decayed_value, item_key, ranking_key
from profiles.events.types import ENGAGEMENT_TYPES, EXPOSURE_TYPES

# What the ranker counts per item and creator (``ranking.features``), defined once for the consumer
# and for training (``ranking.history.COUNTER_KIND``): impressions, and the counted types that show
# interest (``types.EventType``: counted and positive).
RANKING_KINDS = ("engaged", "shown")
RANKING_KIND_OF = dict.fromkeys(ENGAGEMENT_TYPES, "engaged") | dict.fromkeys(sorted(EXPOSURE_TYPES), "shown")
# The packed values of a ``:rank`` key, in order (then the time they are as of), and their half-lives.
RANKING_COLUMNS = tuple(f"{kind}:{window}" for kind in RANKING_KINDS for window in WINDOWS)
RANKING_HALF_LIVES = tuple(WINDOWS[column.partition(":")[2]] for column in RANKING_COLUMNS)
# Each packed value is written "%017.6f" (ten digits, a point, six decimals; the apply script) and
# followed by a space, so that a page's values parse as one array of digits rather than one float()
# each. A value of 10¹⁰ or more would not fit: its key reads as not found.
_PACKED_WIDTH = 18
_PACKED_DIGITS = np.r_[0:10, 11:17]  # the columns of the digits (10 is the point)
_PACKED_PLACES = 10.0 ** np.r_[9:-1:-1, -1:-7:-1]
# Where a counted type's decay factors (one per window, in ``WINDOWS`` order) start among those columns.
RANKING_OFFSET = {t: RANKING_KINDS.index(kind) * len(WINDOWS) for t, kind in RANKING_KIND_OF.items()}


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
# hashes' totals in one command, instead of an HMGET (and its client-side work) per item.
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
