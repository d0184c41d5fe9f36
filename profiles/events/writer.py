"""Writes consumed events to PostgreSQL (or SQLite) as interactions, in batches, idempotently."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from django.db import connection, transaction

from content.models import ContentItem, Product
from profiles.events.models import Interaction
from profiles.models import Shopper

_STAGE = """
CREATE TEMP TABLE IF NOT EXISTS interaction_stage (
    event_id text, shopper_id bigint, content_id bigint, product_id bigint, type text,
    occurred_at timestamptz, session_id text, request_id text, position integer, dwell_ms integer,
    value double precision, context jsonb
) ON COMMIT DELETE ROWS
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
"""
_INSERT_RACING = f"""
INSERT INTO {Interaction._meta.db_table} ({_COLUMNS}, received_at) {_SELECT}
ON CONFLICT (event_id) DO NOTHING
"""


def _row(payload: dict[str, Any]) -> tuple[Any, ...]:
    return (
        payload["e"],
        payload["s"],
        payload["i"],
        payload.get("p"),
        payload["t"],
        datetime.fromtimestamp(payload["ts"], tz=UTC),
        payload.get("sid", ""),
        payload.get("rid", ""),
        payload.get("pos"),
        payload.get("dw"),
        payload.get("v"),
        payload.get("c") or {},
    )


def _write_postgresql(rows: list[tuple[Any, ...]]) -> int:
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute(_STAGE)
        with cursor.copy(f"COPY interaction_stage ({_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row[:-1], json.dumps(row[-1])))
        try:
            with transaction.atomic():
                cursor.execute(_INSERT_NEW)
        except psycopg.errors.UniqueViolation:
            cursor.execute(_INSERT_RACING)
        return int(cursor.rowcount)


def _write_portable(rows: list[tuple[Any, ...]]) -> int:
    shoppers = set(Shopper.objects.filter(pk__in={r[1] for r in rows}).values_list("pk", flat=True))
    items = set(ContentItem.objects.filter(pk__in={r[2] for r in rows}).values_list("pk", flat=True))
    products = set(Product.objects.filter(pk__in={r[3] for r in rows if r[3]}).values_list("pk", flat=True))
    ids = [r[0] for r in rows]
    before = set(Interaction.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
    new = [
        Interaction(
            event_id=r[0],
            shopper_id=r[1],
            content_id=r[2],
            product_id=r[3] if r[3] in products else None,
            type=r[4],
            occurred_at=r[5],
            session_id=r[6],
            request_id=r[7],
            position=r[8],
            dwell_ms=r[9],
            value=r[10],
            context=r[11],
        )
        for r in rows
        if r[1] in shoppers and r[2] in items and r[0] not in before
    ]
    Interaction.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return len(new)


def interactions_write(payloads: Sequence[dict[str, Any]]) -> int:
    """Store stream payloads as interactions; returns how many rows were new.

    Idempotent on ``event_id``: writing a batch again inserts nothing. On PostgreSQL one COPY into
    a temporary table and one ``INSERT … WHERE NOT EXISTS`` (``ON CONFLICT DO NOTHING`` when racing).
    """
    unique = {p["e"]: p for p in payloads}
    rows = [_row(p) for p in unique.values()]
    if not rows:
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _write_postgresql(rows)
        return _write_portable(rows)
