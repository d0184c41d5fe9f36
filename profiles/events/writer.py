"""Writes consumed events to PostgreSQL (or SQLite) as interactions, in batches, idempotently,
and takes them out of the write-ahead (``backlog``) in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import connection, transaction

from content.models import ContentItem, Product
from profiles.events.event import Event
from profiles.events.models import EventBacklog, Interaction
from profiles.models import Shopper

# Emptied at commit, and here too: inside an outer transaction an earlier batch's rows would remain.
_STAGE = """
CREATE TEMP TABLE IF NOT EXISTS interaction_stage (
    event_id text, shopper_id bigint, content_id bigint, product_id bigint, type text,
    occurred_at timestamptz, session_id text, request_id text, position integer, dwell_ms integer,
    value double precision, context jsonb
) ON COMMIT DELETE ROWS;
DELETE FROM interaction_stage
"""
_COLUMNS = (
    "event_id, shopper_id, content_id, product_id, type, occurred_at, session_id, request_id, position, "
    "dwell_ms, value, context"
)
# Rows whose shopper or item is gone by now (deleted meanwhile) are dropped by the joins.
_SELECT = f"""
SELECT s.event_id, s.shopper_id, s.content_id, p.id, s.type, s.occurred_at, s.session_id, s.request_id,
       s.position, s.dwell_ms, s.value, s.context, now()
FROM interaction_stage s
JOIN {Shopper._meta.db_table} sh ON sh.id = s.shopper_id
JOIN {ContentItem._meta.db_table} c ON c.id = s.content_id
LEFT JOIN {Product._meta.db_table} p ON p.id = s.product_id
"""
# The fast path skips rows already stored with an anti-join; ON CONFLICT's speculative insertion
# costs a third more server time per row. Only two consumers writing the same entry at once (one
# claimed it from the other) can still collide; that batch then takes the ON CONFLICT path.
_INSERT_NEW = f"""
INSERT INTO {Interaction._meta.db_table} ({_COLUMNS}, received_at) {_SELECT}
WHERE NOT EXISTS (SELECT 1 FROM {Interaction._meta.db_table} i WHERE i.event_id = s.event_id)
RETURNING event_id
"""
_INSERT_RACING = f"""
INSERT INTO {Interaction._meta.db_table} ({_COLUMNS}, received_at) {_SELECT}
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
"""


def _copy_row(event: Event) -> tuple[Any, ...]:
    """``event`` as a row of ``interaction_stage`` (``_COLUMNS``, in order)."""
    return (
        event.event_id,
        event.shopper_id,
        event.item_id,
        event.product_id,
        event.type,
        event.occurred_at,
        event.session_id,
        event.request_id,
        event.position,
        event.dwell_ms,
        event.value,
        json.dumps(event.context),
    )


def interactions_insert_copy(events: Sequence[Event]) -> set[str]:
    """PostgreSQL's fast path of ``interactions_insert_orm``, with the same rows as the result: one
    COPY into a temporary table and one ``INSERT … WHERE NOT EXISTS`` (``ON CONFLICT DO NOTHING``
    when racing). Runs in the caller's transaction; returns the event ids of the new rows."""
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute(_STAGE)
        with cursor.copy(f"COPY interaction_stage ({_COLUMNS}) FROM STDIN") as copy:
            for event in events:
                copy.write_row(_copy_row(event))
        try:
            with transaction.atomic():
                cursor.execute(_INSERT_NEW)
                return {row[0] for row in cursor.fetchall()}
        except psycopg.errors.UniqueViolation:
            cursor.execute(_INSERT_RACING)
            return {row[0] for row in cursor.fetchall()}


def interactions_insert_orm(events: Sequence[Event]) -> set[str]:
    """Store the events not stored yet whose shopper and item exist (a product that does not is
    left out); returns the event ids of the new rows. Any database whose writers are serialised
    (SQLite); ``bulk_create``."""
    shoppers = set(Shopper.objects.filter(pk__in={e.shopper_id for e in events}).values_list("pk", flat=True))
    items = set(ContentItem.objects.filter(pk__in={e.item_id for e in events}).values_list("pk", flat=True))
    products = set(
        Product.objects.filter(pk__in={e.product_id for e in events if e.product_id}).values_list("pk", flat=True)
    )
    before = set(
        Interaction.objects.filter(event_id__in=[e.event_id for e in events]).values_list("event_id", flat=True)
    )
    new = [
        Interaction(
            event_id=e.event_id,
            shopper_id=e.shopper_id,
            content_id=e.item_id,
            product_id=e.product_id if e.product_id in products else None,
            type=e.type,
            occurred_at=e.occurred_at,
            session_id=e.session_id,
            request_id=e.request_id,
            position=e.position,
            dwell_ms=e.dwell_ms,
            value=e.value,
            context=e.context,
        )
        for e in events
        if e.shopper_id in shoppers and e.item_id in items and e.event_id not in before
    ]
    Interaction.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return {interaction.event_id for interaction in new}


def interactions_write(events: Sequence[Event]) -> list[Event]:
    """Store consumed events as interactions and delete them from the write-ahead; returns the
    events newly stored (in order), the only ones the real-time state may count.

    Idempotent on ``event_id``: writing a batch again inserts nothing. Rows whose shopper or item
    is gone are dropped. ``interactions_insert_copy`` on PostgreSQL, else ``interactions_insert_orm``.
    In the caller's transaction if there is one: the consumer folds the new events into the
    real-time state before it commits.
    """
    unique = list({e.event_id: e for e in events}.values())
    if not unique:
        return []
    with transaction.atomic():
        insert = interactions_insert_copy if connection.vendor == "postgresql" else interactions_insert_orm
        new = insert(unique)
        EventBacklog.objects.filter(event_id__in=[e.event_id for e in unique]).delete()
    return [event for event in unique if event.event_id in new]
