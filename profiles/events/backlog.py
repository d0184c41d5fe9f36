"""The write-ahead of accepted events (the ``EventBacklog`` table), and its reconciliation with the stream.

    ingestion:  backlog_write (one INSERT per batch: what is new) → stream.append → the answer
    consumer:   the writer stores a batch and deletes its rows here, in one transaction;
                backlog_reconcile appends again what the stream lost or never got

From its acceptance until it is stored, an event has a row here; after, a row in ``Interaction``.
So the real-time store may lose its stream (a restart without persistence, an outage during
ingestion) and nothing accepted is lost; and PostgreSQL's unique event ids, here and in
``Interaction``, are the deduplication. Rows hold the stream's wire format (``Event.to_wire``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import redis
from django.db import connection, transaction
from django.db.models.functions import Now

from profiles.events import stream
from profiles.events.event import Event
from profiles.events.models import EventBacklog, Interaction

logger = logging.getLogger(__name__)

# How much older than the stream's oldest unacknowledged entry a row must be before it is appended
# again: room for the two servers' clocks and for a request between its insert and its append.
RECONCILE_GRACE_SECONDS = 10.0
RECONCILE_BATCH = 2000

# Rows come out in the batch's order; an id already here or already stored is left out.
_INSERT = f"""
INSERT INTO {EventBacklog._meta.db_table} (event_id, payload, received_at, appended_at)
SELECT u.event_id, u.payload::jsonb, now(), now()
FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS u(event_id, payload, n)
WHERE NOT EXISTS (SELECT 1 FROM {Interaction._meta.db_table} i WHERE i.event_id = u.event_id)
ORDER BY u.n
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
"""


def backlog_insert_sql(events: Sequence[Event]) -> set[str]:
    """PostgreSQL's fast path of ``backlog_insert_orm``, with the same rows as the result: one
    statement, which concurrent requests with the same ids cannot both pass. Returns the new ids."""
    ids = [event.event_id for event in events]
    payloads = [json.dumps(event.to_wire(), separators=(",", ":")) for event in events]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [ids, payloads])
        return {row[0] for row in cursor.fetchall()}


def backlog_insert_orm(events: Sequence[Event]) -> set[str]:
    """Insert the events whose id is neither here nor stored; returns the new ids. Any database
    whose writers are serialised (SQLite takes its write lock when the transaction begins)."""
    ids = [event.event_id for event in events]
    with transaction.atomic():
        known = set(Interaction.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
        known |= set(EventBacklog.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
        new = [event for event in events if event.event_id not in known]
        EventBacklog.objects.bulk_create([EventBacklog(event_id=e.event_id, payload=e.to_wire()) for e in new])
    return {event.event_id for event in new}


def backlog_write(events: Sequence[Event]) -> set[int]:
    """Make a batch's events durable before it is answered; returns the indexes of the duplicates
    (ids already accepted: waiting here or stored). The events of a batch have distinct ids.

    ``backlog_insert_sql`` on PostgreSQL, else ``backlog_insert_orm``.
    """
    if not events:
        return set()
    insert = backlog_insert_sql if connection.vendor == "postgresql" else backlog_insert_orm
    new = insert(events)
    return {index for index, event in enumerate(events) if event.event_id not in new}


def _horizon() -> datetime:
    """Rows appended before this are not in the stream any more (see ``backlog_reconcile``)."""
    stream.ensure_group()
    try:
        oldest = stream.oldest_unacknowledged()
    except redis.exceptions.ResponseError as exc:
        if not stream.is_group_missing(exc):
            raise
        stream.ensure_group()  # the store restarted between the two calls: its stream is empty
        oldest = None
    now = stream.store_time()
    return datetime.fromtimestamp(min(oldest or now, now), tz=UTC)


def backlog_reconcile(*, grace_seconds: float = RECONCILE_GRACE_SECONDS, limit: int = RECONCILE_BATCH) -> int:
    """Append again to the stream the waiting events that it no longer holds; returns how many.

    A row is appended before its entry, and deleted when its entry is stored; every entry older than
    the stream's oldest unacknowledged one is stored. So a row older than that entry (by
    ``grace_seconds``) has no entry any more: the store lost it, or was down when it was accepted.
    Each row taken gets a new ``appended_at`` first, so it is taken again only if this append is lost
    too. An event appended twice is stored once and counted once (``writer``). Raises
    ``realtime.RealtimeUnavailable`` when the store is down.
    """
    cutoff = _horizon().timestamp() - grace_seconds
    with transaction.atomic():
        rows = list(
            EventBacklog.objects.filter(appended_at__lt=datetime.fromtimestamp(cutoff, tz=UTC))
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", "payload")[:limit]
        )
        EventBacklog.objects.filter(id__in=[pk for pk, _ in rows]).update(appended_at=Now())
    events: list[Event] = []
    for pk, payload in rows:
        try:
            events.append(Event.from_wire(payload))
        except (KeyError, ValueError, TypeError):
            logger.error("dropping malformed write-ahead row %s: %r", pk, payload)
            EventBacklog.objects.filter(id=pk).delete()
    stream.append(events)
    if events:
        logger.info("appended %d accepted events again that the stream did not hold", len(events))
    return len(events)
