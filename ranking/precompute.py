"""Precomputed candidate lists: the expensive half of ranking, done ahead of the request.

    Celery beat (``ranking.precompute_feeds``) → shoppers served a page lately → blocks of shoppers
      → events → user block → every generator over the whole universe → top candidates
      → the real-time store: ``rt:s:<shopper>:pre`` {version, built_at, events_until, item_indexes,
        the kept events, scores: each generator's at the items}

A request that finds its shopper's list for the active model featurizes only those items (plus
what the shopper did since, and the live sources: ``serving.rank``); one that does not computes
the list itself and stores it, so the rest of the feed session is fast too. A list is only ever
a candidate set: filtering and scoring with the freshest features happen per request. Its
generator scores are the one thing a request reuses as they are, and only while the shopper's
events are the ones they were scored from (``CandidateList.scores_for``): they are a function of
the history and the model alone, where the counters, the context and the exclusions are read anew.

A list also keeps the events it was built from and the newest entry of the shopper's recent list
they include. A request then reads the list and the recent list in one round trip and adds the
recent entries above that mark: the shopper's events as fresh as reading the database, without
reading it (read-your-writes holds, the recent list is written at ingestion). When the mark has
been trimmed away (more than ``state.RECENT_MAX`` events since), the database is read instead.

The list lives under the shopper's own key prefix, so export and erasure reach it with the rest of
the shopper's real-time state. Shoppers without personalization share one list (``ANONYMOUS``).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from feedsite import realtime
from profiles.events import state
from profiles.events.models import Interaction
from ranking.candidates.generators import GENERATORS, Scores, score_all, top_candidates
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

# A shopper's events whose list keeps more than this re-reads them from the database instead.
MAX_KEPT_EVENTS = 5000

Events = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
NO_EVENTS: Events = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.float32), np.zeros(0, np.int8))
# Stored as these types, field by field (world item indexes fit 32 bits).
_EVENT_FIELDS = (("ev_items", np.int32), ("ev_times", np.float64), ("ev_values", np.float32), ("ev_grades", np.int8))
Recent = list[tuple[int, str, float]]  # a recent list as ``state.shopper_recent`` reads it, newest first


def columns_of(world: World, items: np.ndarray) -> np.ndarray:
    """The sorted universe positions of ``items`` (those outside the universe left out): the columns
    that ``generators.score_at`` scores them at."""
    columns = np.unique(world.universe_pos[items])
    return columns[columns >= 0]


@dataclass(frozen=True)
class CandidateList:
    version: str  # the ranker (and so the world) the item indexes belong to
    built_at: float
    events_until: float  # newest event the list was computed from: later ones are "this session"
    items: np.ndarray  # world item indexes
    events: Events | None = None  # the events it was computed from (None: not kept, too many)
    recent_head: tuple[int, str, float] | None = None  # the newest recent-list entry ``events`` include
    # The generators' scores at the items' columns (``columns_of``), 1 × columns each, as of the
    # ``scored_events`` events the list was computed from: a page asked before the shopper does
    # anything new takes them as they are (a generator's score depends on the history and the
    # world only), instead of scoring a heavy history again.
    scores: Scores | None = None
    scored_events: int = -1

    @classmethod
    def built_now(
        cls, version: str, events: Events, items: np.ndarray, recent: Recent | None = None, scores: Scores | None = None
    ) -> CandidateList:
        """A list computed now from ``events``, which were read with the recent list ``recent``;
        ``scores``: the generators' scores of ``events`` at the items' columns."""
        kept = len(events[0]) <= MAX_KEPT_EVENTS and recent is not None
        return cls(
            version=version,
            built_at=time.time(),
            events_until=newest(events),
            items=items,
            events=events if kept else None,
            recent_head=recent[0] if kept and recent else None,
            scores=scores,
            scored_events=len(events[0]) if scores is not None else -1,
        )

    def with_events(self, events: Events, recent: Recent) -> CandidateList:
        """The same list, keeping ``events`` (read with the recent list ``recent``) instead."""
        fresh = CandidateList.built_now(self.version, events, self.items, recent)
        return replace(self, events=fresh.events, recent_head=fresh.recent_head)

    def scores_for(self, events: Events) -> Scores | None:
        """The stored scores when they are the scores of ``events`` (nothing happened since the list
        was scored), else ``None``."""
        if self.scores is None or len(events[0]) != self.scored_events or newest(events) != self.events_until:
            return None
        return self.scores

    def events_now(self, world: World, recent: Recent) -> Events | None:
        """The kept events plus the recent-list entries above the mark; ``None`` when that cannot be told."""
        if self.events is None:
            return None
        if self.recent_head is None:
            # Nothing was in the recent list: all of it is new, unless it is full (some trimmed away).
            newer = recent if len(recent) < state.RECENT_MAX else None
        else:
            newer = recent[: recent.index(self.recent_head)] if self.recent_head in recent else None
        if newer is None:
            return None
        if not newer:
            return self.events
        added = _to_events(world, [(item, ts, None, kind) for item, kind, ts in newer])
        return tuple(np.concatenate([a, b]) for a, b in zip(self.events, added, strict=True))  # type: ignore[return-value]


def key_for(shopper_id: int | None) -> str:
    return state.shopper_key(shopper_id, "pre") if shopper_id else ANONYMOUS_KEY


def _to_events(world: World, rows: Sequence[tuple[int, float, float | None, str]]) -> Events:
    """(content id, time, value, type) rows as world item indexes, times, values and grades."""
    unknown = world.item_index.get(UNKNOWN_ITEM, -1)
    return (
        np.fromiter((world.item_index.get(r[0], unknown) for r in rows), np.int64, len(rows)),
        np.fromiter((float(r[1]) for r in rows), np.float64, len(rows)),
        np.fromiter((np.nan if r[2] is None else r[2] for r in rows), np.float32, len(rows)),
        np.fromiter((EVENT_GRADE.get(r[3], 1) for r in rows), np.int8, len(rows)),
    )


def events_of(
    world: World, shopper_ids: Sequence[int], *, client: Any = None, recent: dict[int, Recent] | None = None
) -> list[Events]:
    """Each shopper's events as (world item index, time, value, grade), each event once: the
    database, and the real-time store's recent lists (events not consumed yet: read-your-writes).
    One query and one round trip, whatever the number of shoppers; none when the caller read the
    recent lists."""
    rows_of: dict[int, list[tuple[int, float, float | None, str]]] = {pk: [] for pk in shopper_ids}
    if shopper_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT shopper_id, content_id, {epoch_sql('occurred_at')}, value, type "
                f"FROM {Interaction._meta.db_table} "
                f"WHERE shopper_id IN ({', '.join(['%s'] * len(shopper_ids))})",
                list(shopper_ids),
            )
            for shopper_id, item, ts, value, kind in cursor.fetchall():
                rows_of[shopper_id].append((item, ts, value, kind))
    if recent is None:
        recent = {}
        with contextlib.suppress(*realtime.RealtimeUnavailable):
            recent = state.shoppers_recent(shopper_ids, client=client)
    for shopper_id, entries in recent.items():
        # The recent list keeps events after they are consumed: those are in the rows already, and
        # counting them twice would tell the features (session depth, category shares) otherwise
        # than training, which reads the database alone.
        stored = {(item, kind, round(ts, 3)) for item, ts, _, kind in rows_of[shopper_id]}
        rows_of[shopper_id] += [
            (item, ts, None, kind) for item, kind, ts in entries if (item, kind, round(ts, 3)) not in stored
        ]
    return [_to_events(world, rows_of[shopper_id]) for shopper_id in shopper_ids]


def newest(events: Events) -> float:
    return float(events[1].max()) if len(events[1]) else 0.0


def _decoded(raw: dict[bytes, bytes], version: str) -> CandidateList | None:
    if not raw or raw.get(b"version", b"").decode() != version:
        return None
    if b"item_indexes" not in raw:  # written by an older version of this code
        return None
    events: Events | None = None
    if all(name.encode() in raw for name, _ in _EVENT_FIELDS):
        events = tuple(np.frombuffer(raw[name.encode()], dtype) for name, dtype in _EVENT_FIELDS)  # type: ignore[assignment]
    head = raw.get(b"recent_head", b"")
    scores: Scores | None = None
    if b"scores" in raw:
        matrix = np.frombuffer(raw[b"scores"], np.float32).reshape(len(GENERATORS), -1)
        scores = {name: matrix[n : n + 1] for n, name in enumerate(GENERATORS)}
    return CandidateList(
        version=version,
        built_at=float(raw[b"built_at"]),
        events_until=float(raw[b"events_until"]),
        items=np.frombuffer(raw[b"item_indexes"], np.int32).astype(np.int64),
        events=events,
        recent_head=state.recent_decode([head])[0] if head else None,
        scores=scores,
        scored_events=int(raw.get(b"scored_events", -1)),
    )


def load(shopper_id: int | None, version: str) -> CandidateList | None:
    """The stored list for this model version, or ``None`` (none, stale model, store down)."""
    try:
        return _decoded(realtime.client().hgetall(key_for(shopper_id)), version)
    except realtime.RealtimeUnavailable:
        return None


def load_with_recent(shopper_id: int, version: str) -> tuple[CandidateList | None, Recent | None, dict[str, float]]:
    """The shopper's stored list, recent list and search intent (``state.shopper_intent``), in one
    round trip; ``None`` (no intent) for what could not be read."""
    try:
        pipe = realtime.client().pipeline(transaction=False)
        pipe.hgetall(key_for(shopper_id))
        pipe.lrange(state.shopper_key(shopper_id, "recent"), 0, state.RECENT_MAX - 1)
        pipe.hgetall(state.shopper_key(shopper_id, "intent"))
        raw, recent, intent = pipe.execute()
    except realtime.RealtimeUnavailable:
        return None, None, {}
    return _decoded(raw, version), state.recent_decode(recent), state.intent_decode(intent)


def store(entries: dict[int | None, CandidateList], *, client: Any = None) -> None:
    """Write lists (one round trip); a store that is down only costs the next request its shortcut."""
    if not entries:
        return
    try:
        pipe = (client or realtime.client()).pipeline(transaction=False)
        for shopper_id, entry in entries.items():
            key = key_for(shopper_id)
            pipe.delete(key)  # a list stored without events must not keep an older list's
            mapping: dict[str, str | bytes] = {
                "version": entry.version,
                "built_at": f"{entry.built_at:.3f}",
                "events_until": repr(entry.events_until),  # exactly: scores_for compares it
                "item_indexes": np.ascontiguousarray(entry.items, np.int32).tobytes(),
            }
            if entry.scores is not None:
                rows = [np.asarray(entry.scores[name], np.float32).reshape(-1) for name in GENERATORS]
                mapping["scores"] = np.concatenate(rows).tobytes()
                mapping["scored_events"] = str(entry.scored_events)
            if entry.events is not None:
                for (name, dtype), values in zip(_EVENT_FIELDS, entry.events, strict=True):
                    mapping[name] = np.ascontiguousarray(values, dtype=dtype).tobytes()
                mapping["recent_head"] = state.recent_encode(*entry.recent_head) if entry.recent_head else ""
            pipe.hset(key, mapping=mapping)
            pipe.expire(key, TTL_SECONDS)
        pipe.execute()
    except realtime.RealtimeUnavailable:
        logger.warning("real-time store unavailable: %d candidate lists not stored", len(entries))


def compute(
    world: World, version: str, events: Sequence[Events], recent: Sequence[Recent | None] | None = None
) -> list[CandidateList]:
    """The candidate lists of a block of shoppers, from their events (read with the recent lists ``recent``)."""
    block = world.block(events)
    scores = score_all(world, block)
    rows, items = top_candidates(world, block, scores, world.config.n_per_gen)
    recent = recent or [None] * len(events)
    lists = []
    for n, shopper_events in enumerate(events):
        mine = items[rows == n]
        columns = columns_of(world, mine)
        at = {name: np.asarray(matrix[n : n + 1])[:, columns] for name, matrix in scores.items()}
        lists.append(CandidateList.built_now(version, shopper_events, mine, recent[n], at))
    return lists


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
        recent: dict[int, Recent] = {}
        with contextlib.suppress(*realtime.RealtimeUnavailable):
            recent = state.shoppers_recent(ids, client=client)
        events = events_of(world, ids, recent=recent)
        lists = compute(world, ranker.version, events, [recent.get(pk) for pk in ids])
        store(dict(zip(ids, lists, strict=True)), client=client)
        done += len(ids)
    store({None: compute(world, ranker.version, [NO_EVENTS])[0]}, client=client)
    return done
