"""Precomputed candidate lists: the expensive half of ranking, done ahead of the request.

    Celery beat (``ranking.precompute_feeds``) → shoppers served a page lately → blocks of shoppers
      → events → user block → every generator over the whole universe → top candidates
      → the real-time store: ``rt:s:<shopper>:pre`` {version, built_at, events_until, items}

A request that finds its shopper's list for the active model featurizes only those items (plus
what the shopper did since, and the live sources: ``serving.rank``); one that does not computes
the list itself and stores it, so the rest of the feed session is fast too. A list is only ever
a candidate set: filtering and scoring with the freshest features happen per request.

The list lives under the shopper's own key prefix, so export and erasure reach it with the rest of
the shopper's real-time state. Shoppers without personalization share one list (``ANONYMOUS``).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from feedsite import realtime
from profiles.events import state
from ranking.candidates.generators import score_all, top_candidates
from ranking.history import EVENT_GRADE, UNKNOWN_ITEM, epoch_sql
from ranking.models import FeedRequest
from ranking.registry import Ranker
from ranking.world import World

logger = logging.getLogger(__name__)

# A list older than this is recomputed by the request that finds it gone; Celery refreshes the
# lists of active shoppers well before (every ``FEED_PRECOMPUTE_MINUTES``).
TTL_SECONDS = 30 * 60
ANONYMOUS_KEY = "feed:pre:anonymous"
# Shoppers per block: the generators run as matrix products over a block at a time.
BLOCK_SIZE = 256

Events = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
NO_EVENTS: Events = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.float32), np.zeros(0, np.int8))


@dataclass(frozen=True)
class CandidateList:
    version: str  # the ranker (and so the world) the item indexes belong to
    built_at: float
    events_until: float  # newest event the list was computed from: later ones are "this session"
    items: np.ndarray  # world item indexes

    @classmethod
    def built_now(cls, version: str, events: Events, items: np.ndarray) -> CandidateList:
        return cls(version=version, built_at=time.time(), events_until=newest(events), items=items)


def key_for(shopper_id: int | None) -> str:
    return state.shopper_key(shopper_id, "pre") if shopper_id else ANONYMOUS_KEY


def events_of(world: World, shopper_ids: Sequence[int], *, client: Any = None) -> list[Events]:
    """Each shopper's events as (world item index, time, value, grade): the database, and the
    real-time store's recent lists (events not consumed yet: read-your-writes). One query and one
    round trip, whatever the number of shoppers."""
    rows_of: dict[int, list[tuple[int, float, float | None, str]]] = {pk: [] for pk in shopper_ids}
    if shopper_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT shopper_id, content_id, {epoch_sql('occurred_at')}, value, type FROM profiles_interaction "
                f"WHERE shopper_id IN ({', '.join(['%s'] * len(shopper_ids))})",
                list(shopper_ids),
            )
            for shopper_id, item, ts, value, kind in cursor.fetchall():
                rows_of[shopper_id].append((item, ts, value, kind))
    with contextlib.suppress(*realtime.RealtimeUnavailable):
        for shopper_id, recent in state.shoppers_recent(shopper_ids, client=client).items():
            rows_of[shopper_id] += [(item, ts, None, kind) for item, kind, ts in recent]
    unknown = world.item_index.get(UNKNOWN_ITEM, -1)
    out = []
    for shopper_id in shopper_ids:
        rows = rows_of[shopper_id]
        out.append(
            (
                np.fromiter((world.item_index.get(r[0], unknown) for r in rows), np.int64, len(rows)),
                np.fromiter((float(r[1]) for r in rows), np.float64, len(rows)),
                np.fromiter((np.nan if r[2] is None else r[2] for r in rows), np.float32, len(rows)),
                np.fromiter((EVENT_GRADE.get(r[3], 1) for r in rows), np.int8, len(rows)),
            )
        )
    return out


def newest(events: Events) -> float:
    return float(events[1].max()) if len(events[1]) else 0.0


def load(shopper_id: int | None, version: str) -> CandidateList | None:
    """The stored list for this model version, or ``None`` (none, stale model, store down)."""
    try:
        raw: dict[bytes, bytes] = realtime.client().hgetall(key_for(shopper_id))
    except realtime.RealtimeUnavailable:
        return None
    if not raw or raw.get(b"version", b"").decode() != version:
        return None
    text = raw.get(b"items", b"").decode()
    return CandidateList(
        version=version,
        built_at=float(raw[b"built_at"]),
        events_until=float(raw[b"events_until"]),
        items=np.array(text.split(","), dtype=np.int64) if text else np.zeros(0, np.int64),
    )


def store(entries: dict[int | None, CandidateList], *, client: Any = None) -> None:
    """Write lists (one round trip); a store that is down only costs the next request its shortcut."""
    if not entries:
        return
    try:
        pipe = (client or realtime.client()).pipeline(transaction=False)
        for shopper_id, entry in entries.items():
            key = key_for(shopper_id)
            pipe.hset(
                key,
                mapping={
                    "version": entry.version,
                    "built_at": f"{entry.built_at:.3f}",
                    "events_until": f"{entry.events_until:.3f}",
                    "items": ",".join(map(str, entry.items.tolist())),
                },
            )
            pipe.expire(key, TTL_SECONDS)
        pipe.execute()
    except realtime.RealtimeUnavailable:
        logger.warning("real-time store unavailable: %d candidate lists not stored", len(entries))


def compute(world: World, version: str, events: Sequence[Events]) -> list[CandidateList]:
    """The candidate lists of a block of shoppers, from their events."""
    block = world.block(events)
    rows, items = top_candidates(world, block, score_all(world, block), world.config.n_per_gen)
    return [CandidateList.built_now(version, e, items[rows == n]) for n, e in enumerate(events)]


def recently_active(*, within: timedelta) -> list[int]:
    """Shoppers with personalization on who were served a page within ``within``."""
    since = timezone.now() - within
    return sorted(
        FeedRequest.objects.filter(served_at__gte=since, shopper__personalization=True)
        .values_list("shopper_id", flat=True)
        .distinct()
    )


def precompute(ranker: Ranker, shopper_ids: Sequence[int]) -> int:
    """Compute and store the lists of ``shopper_ids`` (and the anonymous one); returns how many."""
    world: World = ranker.extra["world"]
    client = realtime.worker_client()
    done = 0
    for start in range(0, len(shopper_ids), BLOCK_SIZE):
        ids = list(shopper_ids[start : start + BLOCK_SIZE])
        lists = compute(world, ranker.version, events_of(world, ids, client=client))
        store(dict(zip(ids, lists, strict=True)), client=client)
        done += len(ids)
    store({None: compute(world, ranker.version, [NO_EVENTS])[0]}, client=client)
    return done
