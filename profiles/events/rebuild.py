"""Rebuilding the real-time state from the interactions in the database.

For when the real-time store has lost its state (a flush, a failover to an empty replica) or the
state rules have changed. Clears every ``rt:s:*``, ``rt:i:*``, ``rt:c:*`` and ``rt:p:*`` key and
every ``rt:applied:*`` marker, then replays the stored interactions in time order through
``state.apply_events``, the consumer's own code, so the rebuilt state is the one live consumption
builds. Each shopper's recent list is rebuilt as the ingestion API writes it.

Consumers may keep running: the markers are cleared once, before the replay, so an event a
consumer applies meanwhile is skipped by the replay and the other way round; nothing counts twice.
Events accepted but not yet consumed lose their recent-list entry (the consumer still applies them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feedsite import realtime
from profiles.events import state
from profiles.events.event import Event
from profiles.events.meta import item_meta
from profiles.events.models import Interaction

# The state that is rebuilt, and the markers that would make the replay a no-op.
CLEARED_PATTERNS = ("rt:s:*", "rt:i:*", "rt:c:*", "rt:p:*", "rt:applied:*")
# One query and one Lua call per batch. A batch's script arguments are ~85 per event (affinity
# dims and three windows per counter): 2,000 events ≈ 170k arguments ≈ 3 MB.
REBUILD_BATCH = 2000
# Keys per SCAN step and per UNLINK. All calls go through ``realtime.worker_client()``: a batch
# takes longer than the request path's 250 ms socket timeout allows.
SCAN_COUNT = 1000
_FIELDS = ("event_id", "shopper_id", "content_id", "product_id", "type", "occurred_at", "value", "dwell_ms")


@dataclass
class RebuildReport:
    keys_cleared: int = 0
    events: int = 0
    applied: int = 0  # events not applied meanwhile by a running consumer
    batches: int = 0


def keys_delete(*, match: str) -> int:
    """Delete every key matching ``match``, walking the keyspace with SCAN (never KEYS)."""
    client = realtime.worker_client()
    deleted = 0
    pending: list[bytes] = []
    for key in client.scan_iter(match=match, count=SCAN_COUNT):
        pending.append(key)
        if len(pending) >= SCAN_COUNT:
            deleted += int(client.unlink(*pending))
            pending = []
    if pending:
        deleted += int(client.unlink(*pending))
    return deleted


def _event(row: tuple[Any, ...]) -> Event:
    """An interaction row as the event it was consumed as (what the state is folded from)."""
    event_id, shopper_id, content_id, product_id, event_type, occurred_at, value, dwell_ms = row
    return Event(
        event_id=event_id,
        shopper_id=shopper_id,
        item_id=content_id,
        type=event_type,
        occurred_at=occurred_at,
        product_id=product_id,
        value=value,
        dwell_ms=dwell_ms,
    )


def _replay(events: Sequence[Event]) -> int:
    client = realtime.worker_client()
    applied = state.apply_events(events, item_meta({e.item_id for e in events}), client=client)
    recent: dict[int, list[str]] = defaultdict(list)
    for event in events:
        # The entry ``stream.append`` writes at ingestion.
        recent[event.shopper_id].append(state.recent_encode(event.item_id, event.type, event.timestamp))
    pipe = client.pipeline(transaction=False)
    for shopper_id, entries in recent.items():
        key = state.shopper_key(shopper_id, "recent")
        pipe.lpush(key, *entries[-state.RECENT_MAX :])  # oldest first, so the newest ends up in front
        pipe.ltrim(key, 0, state.RECENT_MAX - 1)
        pipe.expire(key, state.STATE_TTL_SECONDS)
    pipe.execute()
    return applied


def realtime_rebuild(*, since: datetime | None = None, batch_size: int = REBUILD_BATCH) -> RebuildReport:
    """Clear the real-time state and replay the interactions (those since ``since``, or all) into it.

    Running totals (``n:<type>``) then count only the replayed interactions: the ones still in the
    database (see ``EVENT_RETENTION_DAYS``), or since ``since``. Raises ``RealtimeUnavailable``
    when the store is down.
    """
    report = RebuildReport()
    for pattern in CLEARED_PATTERNS:
        report.keys_cleared += keys_delete(match=pattern)
    rows = Interaction.objects.order_by("occurred_at", "pk").values_list(*_FIELDS)
    if since is not None:
        rows = rows.filter(occurred_at__gte=since)
    batch: list[Event] = []
    for row in rows.iterator(chunk_size=batch_size):
        batch.append(_event(row))
        if len(batch) >= batch_size:
            report.applied += _replay(batch)
            report.events += len(batch)
            report.batches += 1
            batch = []
    if batch:
        report.applied += _replay(batch)
        report.events += len(batch)
        report.batches += 1
    return report
