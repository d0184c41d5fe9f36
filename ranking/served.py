"""What a feed session has already served, so the next page never repeats a card.

Kept in the real-time store (one set per feed session, expiring with it). When the store is down
the served-list log in the database answers instead: slower, but the feed keeps its promise.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Field
from django.utils import timezone

from feedsite import realtime
from profiles.models import Shopper
from profiles.privacy.subjects import iso
from ranking.models import FeedRequest

# For the statement's own transaction only (``is_local``): its commit does not wait for the flush.
NO_FLUSH_WAIT = "(SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait"
_LOGGED = ("request_id", "shopper", "feed_session", "page", "served_at", "items", "reasons", "variant", "features")


def _key(feed_session: uuid.UUID) -> str:
    return f"feed:served:{feed_session.hex}"


def served_ids(feed_session: uuid.UUID, *, expect_some: bool) -> set[int]:
    """Content ids served so far in ``feed_session``.

    ``expect_some`` (a later page) with nothing in the store means the store lost the set (it was
    down when a page was served, or restarted): the served-list log is read instead.
    """
    try:
        members: set[bytes] = realtime.client().smembers(_key(feed_session))
        ids = {int(raw) for raw in members}
        if ids or not expect_some:
            return ids
    except realtime.RealtimeUnavailable:
        pass
    ids = set()
    for items in FeedRequest.objects.filter(feed_session=feed_session).values_list("items", flat=True):
        ids.update(items)
    return ids


def served_add(feed_session: uuid.UUID, ids: Iterable[int]) -> None:
    ids = list(ids)
    if not ids:
        return
    try:
        pipe = realtime.client().pipeline(transaction=False)
        pipe.sadd(_key(feed_session), *ids)
        pipe.expire(_key(feed_session), settings.FEED_SESSION_TTL_SECONDS)
        pipe.execute()
    except realtime.RealtimeUnavailable:
        pass  # the FeedRequest row written for this page is the fallback record


@functools.cache
def _log_insert() -> tuple[list[Field[Any, Any]], str]:
    """The logged fields, in ``_LOGGED`` order, and the statement's ``INSERT INTO table (columns)``."""
    fields = [field for name in _LOGGED if isinstance(field := FeedRequest._meta.get_field(name), Field)]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    return fields, f"INSERT INTO {FeedRequest._meta.db_table} ({columns})"


def log_page(
    *,
    shopper: Shopper,
    feed_session: uuid.UUID,
    page: int,
    items: Sequence[int],
    reasons: Sequence[str],
    variant: str,
    features: dict[str, Any],
) -> uuid.UUID:
    """Record one served page in the served-list log (``FeedRequest``); returns its request id.

    One INSERT, written out: on the feed's hottest path, saving a model instance cost about as much
    again as the row itself. On PostgreSQL, outside a transaction, its commit does not wait for the
    write-ahead log to reach the disk (``synchronous_commit`` off for this statement's transaction
    only, set within it: one message, bound by the server). On a busy database, where the event
    consumer commits batches all the time, the feed would wait for that flush; the price is
    that a crash of the database itself can lose the last fraction of a second of log rows (never
    events, nor anything else written with the default).
    """
    request_id = uuid.uuid4()
    values = (request_id, shopper.pk, feed_session, page, timezone.now(), list(items), list(reasons), variant, features)
    fields, insert = _log_insert()
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)]
    placeholders = ", ".join(["%s"] * len(params))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # The setting is made in the statement, so the statement, bound by the server and
            # prepared once, stays one message; the row's values are selected "from" it.
            cursor.execute(f"{insert} SELECT {placeholders} FROM {NO_FLUSH_WAIT}", params)
        else:
            cursor.execute(f"{insert} VALUES ({placeholders})", params)
    return request_id


def served_log_export(shopper_ids: Sequence[int], **_: object) -> dict[str, Any]:
    """``profiles.privacy.signals.shopper_exported``: the shoppers' served-list log, oldest first."""
    rows = FeedRequest.objects.filter(shopper_id__in=shopper_ids).order_by("served_at", "page")
    return {
        "served": [
            {
                "request_id": str(row.request_id),
                "feed_session": str(row.feed_session),
                "page": row.page,
                "served_at": iso(row.served_at),
                "items": row.items,
                "reasons": row.reasons,
                "variant": row.variant,
                "features": row.features,
            }
            for row in rows
        ]
    }


def served_log_erase(shopper_ids: Sequence[int], **_: object) -> dict[str, int]:
    """``profiles.privacy.signals.shopper_erased``: delete the shoppers' served-list log."""
    return {"served_log": FeedRequest.objects.filter(shopper_id__in=shopper_ids).delete()[0]}
