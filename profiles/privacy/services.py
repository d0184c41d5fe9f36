"""A shopper's data, exported whole or erased everywhere it is kept.

``shopper_export(shopper=...)`` returns everything stored about a shopper as one JSON-ready dict;
``shopper_erase(shopper=..., requested_by=...)`` deletes it from every store and leaves an
``ErasureRecord`` that says who asked, when, and how much went from each store, and nothing else.

What "everywhere" covers, for the shopper and the anonymous visitors merged into them:

* the database: account, consent history, interests, follows, likes, cart, orders, comments,
  interactions, served-list log (``ranking.FeedRequest``), events parked in the backlog, admin
  history of the account, and the shopper, visitor and user rows themselves;
* the real-time store: ``rt:s:<id>:*`` (affinities, recent items, session) and the shopper's
  entries still in the event stream;
* the archive: every archived hour file that holds their interactions is rewritten without them;
* every store another app registers here.

Stores of other apps (precomputed feeds, training snapshots, …) register themselves from their
``AppConfig.ready()``, so that this module never imports them::

    class RankingConfig(AppConfig):
        def ready(self) -> None:
            from profiles.privacy.services import register_store
            from ranking import precompute

            register_store("precomputed_feeds", precompute.feeds_export, precompute.feeds_erase)

An exporter takes the shopper ids (the shopper first, then their merged visitors) and returns
something JSON can hold; an eraser takes the same ids, deletes, returns how many things it deleted,
and must be idempotent: erasing again deletes nothing and returns 0. Both receive ids rather than
a ``Shopper`` because an erasure may be re-run after the rows are gone.

Erasure order: ingestion is switched off for the shopper first (no new event is recorded), then
the stores outside the database are cleared, then the database in one transaction, then the
archive and the real-time keys once more, for what a worker still in flight wrote meanwhile.
If a step fails, nothing after it ran: the record stays incomplete (``completed_at`` unset) and
running the erasure again finishes it. Re-running a completed erasure changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from content.models import Comment
from feedsite import realtime
from feedsite.errors import ApplicationError
from profiles.events import state, stream
from profiles.events.models import EventBacklog, Interaction
from profiles.models import ConsentRecord, Follow, Interest, Like, Shopper
from profiles.privacy import archive
from profiles.privacy.models import ErasureRecord
from profiles.shop.models import CartLine, Order

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "feedsite.shopper-export/1"
SUBJECT_REF_SALT = "profiles.privacy.erasure-subject"
# Stream entries read per round trip while looking for a shopper's: ~10,000 × 300 bytes = 3 MB.
STREAM_PAGE = 10_000
# Keys per SCAN step: large enough to walk millions of keys in seconds, small enough not to block.
SCAN_COUNT = 1000
# Every call here goes through ``realtime.worker_client()``: walking the stream and the keyspace
# takes longer than the feed path's 250 ms socket timeout.

Exporter = Callable[[Sequence[int]], Any]
Eraser = Callable[[Sequence[int]], int]


@dataclass(frozen=True)
class Store:
    name: str
    exporter: Exporter
    eraser: Eraser


_stores: dict[str, Store] = {}


def register_store(name: str, exporter: Exporter, eraser: Eraser) -> None:
    """Make ``shopper_export`` and ``shopper_erase`` reach another app's store (see the module docstring).

    Registering the same name again replaces the entry (``ready()`` may run more than once in tests).
    """
    _stores[name] = Store(name=name, exporter=exporter, eraser=eraser)


def unregister_store(name: str) -> None:
    _stores.pop(name, None)


def registered_stores() -> list[Store]:
    return list(_stores.values())


class PrivacyStoreUnavailable(ApplicationError):
    http_status = 503


def subject_ref(shopper_id: int) -> str:
    """The erasure record's name for a shopper: HMAC-SHA256 of the id, keyed by SECRET_KEY.

    The same shopper always gets the same ref, so a repeated request finds its record, and the
    ref alone does not say who it was. Shopper ids are small numbers, so whoever holds SECRET_KEY
    can recompute the ref of any id: that is how an operator answers "was shopper N erased?".
    Rotating SECRET_KEY ends that link for older records.
    """
    return salted_hmac(SUBJECT_REF_SALT, str(shopper_id), algorithm="sha256").hexdigest()


def shopper_ids(shopper: Shopper) -> list[int]:
    """The shopper's id first, then the ids of the visitors merged into them."""
    merged = Shopper.objects.filter(merged_into_id=shopper.pk).order_by("pk").values_list("pk", flat=True)
    return [shopper.pk, *merged]


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _realtime_keys(shopper_id: int) -> list[str]:
    client = realtime.worker_client()
    pattern = state.shopper_key(shopper_id, "*")
    return sorted(key.decode() for key in client.scan_iter(match=pattern, count=SCAN_COUNT))


def _realtime_export(ids: Sequence[int]) -> list[dict[str, Any]]:
    """Decayed affinities and recent items of each id, and any other ``rt:s:<id>:*`` key as stored."""
    client = realtime.worker_client()
    found = []
    for shopper_id in ids:
        keys = _realtime_keys(shopper_id)
        if not keys:
            continue
        decoded = {state.shopper_key(shopper_id, "aff"), state.shopper_key(shopper_id, "recent")}
        other = {
            key: {f.decode(): v.decode() for f, v in client.hgetall(key).items()}
            for key in keys
            if key not in decoded and client.type(key) == b"hash"
        }
        found.append(
            {
                "shopper": shopper_id,
                "affinities": state.shopper_affinities(shopper_id),
                "recent": [
                    {"item": item, "type": kind, "at": _iso(datetime.fromtimestamp(ts, tz=UTC))}
                    for item, kind, ts in state.shopper_recent(shopper_id)
                ],
                "other": other,
            }
        )
    return found


def _served_log_model() -> Any:
    # The served-list log belongs to ranking, which depends on profiles: looked up by name rather
    # than imported, so that profiles never imports ranking.
    return apps.get_model("ranking", "FeedRequest") if apps.is_installed("ranking") else None


def _served_log_export(ids: Sequence[int]) -> list[dict[str, Any]]:
    model = _served_log_model()
    if model is None:
        return []
    rows = model.objects.filter(shopper_id__in=ids).order_by("served_at", "page")
    return [
        {
            "request_id": str(row.request_id),
            "feed_session": str(row.feed_session),
            "page": row.page,
            "served_at": _iso(row.served_at),
            "items": row.items,
            "reasons": row.reasons,
            "variant": row.variant,
            "features": row.features,
        }
        for row in rows
    ]


def _account(shopper: Shopper, ids: Sequence[int]) -> dict[str, Any]:
    user = shopper.user
    visitors = Shopper.objects.filter(pk__in=ids[1:]).order_by("pk")
    return {
        "shopper_id": shopper.pk,
        "visitor_id": str(shopper.visitor_id),
        "external_id": shopper.external_id,
        "personalization": shopper.personalization,
        "consent_updated_at": _iso(shopper.consent_updated_at),
        "onboarded_at": _iso(shopper.onboarded_at),
        "created_at": _iso(shopper.created_at),
        "last_seen_at": _iso(shopper.last_seen_at),
        "merged_visitors": [
            {"shopper_id": v.pk, "visitor_id": str(v.visitor_id), "created_at": _iso(v.created_at)} for v in visitors
        ],
        "user": None
        if user is None
        else {
            "username": user.get_username(),
            "email": getattr(user, "email", ""),
            "first_name": getattr(user, "first_name", ""),
            "last_name": getattr(user, "last_name", ""),
            "date_joined": _iso(getattr(user, "date_joined", None)),
            "last_login": _iso(user.last_login),
            "is_active": user.is_active,
        },
    }


def _interactions(ids: Sequence[int]) -> list[dict[str, Any]]:
    """Stored and archived interactions, once each (an archived row may still be in the database)."""
    rows = {
        values["event_id"]: archive.archive_row(values)
        for values in Interaction.objects.filter(shopper_id__in=ids).values(*archive.ARCHIVE_FIELDS)
    }
    for row in archive.archive_rows_for_shoppers(shopper_ids=ids):
        rows.setdefault(row["event_id"], row)
    return sorted(rows.values(), key=lambda row: (row["occurred_at"], row["event_id"]))


def _shop_export(shopper: Shopper, ids: Sequence[int]) -> dict[str, Any]:
    """Likes, cart, orders and comments (comments belong to the account, not to a visitor)."""
    orders = Order.objects.filter(shopper_id__in=ids).prefetch_related("lines").order_by("created_at", "pk")
    return {
        "likes": [
            {"item": like.content_id, "at": _iso(like.created_at)}
            for like in Like.objects.filter(shopper_id__in=ids).order_by("created_at", "pk")
        ],
        "cart": [
            {
                "product": line.product_id,
                "title": line.product.title,
                "quantity": line.quantity,
                "at": _iso(line.added_at),
            }
            for line in CartLine.objects.filter(cart__shopper_id__in=ids).select_related("product").order_by("pk")
        ],
        "orders": [
            {
                "number": order.number,
                "status": order.status,
                "total": str(order.total),
                "currency": order.currency,
                "shipping_name": order.shipping_name,
                "shipping_address": order.shipping_address,
                "payment_reference": order.payment_reference,
                "at": _iso(order.created_at),
                "lines": [
                    {
                        "product": line.product_id,
                        "title": line.title,
                        "unit_price": str(line.unit_price),
                        "quantity": line.quantity,
                    }
                    for line in order.lines.all()
                ],
            }
            for order in orders
        ],
        "comments": []
        if shopper.user_id is None
        else [
            {"item": c.content_id, "body": c.body, "status": c.status, "at": _iso(c.created_at)}
            for c in Comment.objects.filter(author_id=shopper.user_id).order_by("created_at", "pk")
        ],
    }


def shopper_export(*, shopper: Shopper) -> dict[str, Any]:
    """Everything stored about ``shopper`` and the visitors merged into them, ready for ``json.dumps``.

    Reads the database, the real-time store, the archive files holding them and every registered
    store. Raises ``PrivacyStoreUnavailable`` when the real-time store cannot be read: an export
    is complete or not given.
    """
    ids = shopper_ids(shopper)
    try:
        live = _realtime_export(ids)
    except realtime.RealtimeUnavailable as exc:
        raise PrivacyStoreUnavailable(
            "The real-time store is unavailable; try the export again shortly.", code="store_unavailable"
        ) from exc
    return {
        "format": EXPORT_FORMAT,
        "generated_at": _iso(timezone.now()),
        "account": _account(shopper, ids),
        "consent": [
            {"personalization": r.personalization, "source": r.source, "at": _iso(r.created_at)}
            for r in ConsentRecord.objects.filter(shopper_id__in=ids).order_by("created_at", "pk")
        ],
        "interests": [
            {"tag": i.tag_id, "slug": i.tag.slug, "name": i.tag.name, "at": _iso(i.created_at)}
            for i in Interest.objects.filter(shopper_id__in=ids).select_related("tag").order_by("created_at", "pk")
        ],
        "follows": [
            {"creator": f.creator_id, "handle": f.creator.handle, "at": _iso(f.created_at)}
            for f in Follow.objects.filter(shopper_id__in=ids).select_related("creator").order_by("created_at", "pk")
        ],
        **_shop_export(shopper, ids),
        "interactions": _interactions(ids),
        "realtime": live,
        "served": _served_log_export(ids),
        "stores": {store.name: store.exporter(ids) for store in registered_stores()},
    }


@dataclass
class ErasureReport:
    subject_ref: str
    stores: dict[str, int] = field(default_factory=dict)
    completed_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"subject_ref": self.subject_ref, "stores": self.stores, "completed_at": _iso(self.completed_at)}


def _stream_erase(ids: Sequence[int]) -> int:
    """Delete the shoppers' entries from the event stream (consumed or not); returns how many."""
    client = realtime.worker_client()
    wanted = set(ids)
    needles = [f'"s":{shopper_id}'.encode() for shopper_id in wanted]
    removed = 0
    start = "-"
    while True:
        page = client.xrange(stream.STREAM, min=start, count=STREAM_PAGE)
        if not page:
            return removed
        doomed = []
        for entry_id, fields in page:
            data = fields.get(b"d", b"")
            if any(needle in data for needle in needles) and json.loads(data).get("s") in wanted:
                doomed.append(entry_id)
        if doomed:
            removed += int(client.xdel(stream.STREAM, *doomed))
        start = f"({page[-1][0].decode()}"


def _realtime_erase(ids: Sequence[int]) -> int:
    client = realtime.worker_client()
    keys = [key for shopper_id in ids for key in _realtime_keys(shopper_id)]
    return int(client.unlink(*keys)) if keys else 0


def _realtime_sweep(ids: Sequence[int]) -> int:
    """The keys an in-flight consumer or request may have written again after ``_realtime_erase``."""
    keys = [state.shopper_key(shopper_id, part) for shopper_id in ids for part in ("aff", "recent", "sess", "pre")]
    return int(realtime.worker_client().unlink(*keys))


def _database_erase(ids: Sequence[int]) -> dict[str, int]:
    """Delete every row about the shoppers, in one transaction; returns counts per table."""
    user_model = get_user_model()
    with transaction.atomic():
        user_ids = [pk for pk in Shopper.objects.filter(pk__in=ids).values_list("user_id", flat=True) if pk is not None]
        counts = {
            "interactions": Interaction.objects.filter(shopper_id__in=ids).delete()[0],
            "follows": Follow.objects.filter(shopper_id__in=ids).delete()[0],
            "interests": Interest.objects.filter(shopper_id__in=ids).delete()[0],
            "consent_records": ConsentRecord.objects.filter(shopper_id__in=ids).delete()[0],
            "event_backlog": EventBacklog.objects.filter(payload__s__in=list(ids)).delete()[0],
            "likes": Like.objects.filter(shopper_id__in=ids).delete()[0],
            "cart_lines": CartLine.objects.filter(cart__shopper_id__in=ids).delete()[0],
            # An order's lines go with it: counted as the orders.
            "orders": Order.objects.filter(shopper_id__in=ids).delete()[1].get(Order._meta.label, 0),
            "comments": Comment.objects.filter(author_id__in=user_ids).delete()[0],
        }
        served = _served_log_model()
        counts["served_log"] = served.objects.filter(shopper_id__in=ids).delete()[0] if served is not None else 0
        # Admin history names the account in object_repr (a username), so it goes too.
        counts["admin_log"] = (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(user_model), object_id__in=[str(pk) for pk in user_ids]
            ).delete()[0]
            + LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Shopper), object_id__in=[str(pk) for pk in ids]
            ).delete()[0]
        )
        counts["shoppers"] = Shopper.objects.filter(pk__in=ids).delete()[1].get(Shopper._meta.label, 0)
        counts["users"] = user_model.objects.filter(pk__in=user_ids).delete()[1].get(user_model._meta.label, 0)
    return counts


def _refuse_staff(shopper: Shopper) -> None:
    if shopper.user_id is None:
        return
    user = get_user_model().objects.filter(pk=shopper.user_id).first()
    if user is not None and (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)):
        raise ApplicationError(
            "This shopper's account has staff access; remove it before erasing the account.", code="staff_account"
        )


def shopper_erase(*, shopper: Shopper, requested_by: str) -> ErasureReport:
    """Delete everything about ``shopper`` and their merged visitors, everywhere; record it.

    ``requested_by`` says who asked ("admin:<username>", "self-service") and is kept in the
    record, so it must not name the shopper. Idempotent: running it again (also with an unsaved
    ``Shopper(pk=...)`` once the row is gone) finishes an interrupted erasure and otherwise
    changes nothing. Raises ``ApplicationError`` for a staff account and
    ``PrivacyStoreUnavailable`` when the real-time store is down (before deleting anything in
    the database).
    """
    _refuse_staff(shopper)
    ids = shopper_ids(shopper)
    unavailable = PrivacyStoreUnavailable(
        "The real-time store is unavailable; nothing was erased from the database. Try again shortly.",
        code="store_unavailable",
    )
    try:
        realtime.worker_client().ping()
    except realtime.RealtimeUnavailable as exc:
        raise unavailable from exc
    record, _ = ErasureRecord.objects.get_or_create(
        subject_ref=subject_ref(shopper.pk), defaults={"requested_by": requested_by}
    )
    counts: dict[str, int] = {}

    def add(name: str, count: int) -> None:
        counts[name] = counts.get(name, 0) + count

    completed = False
    try:
        # No event of theirs is recorded from now on (ingestion honours the consent flag).
        Shopper.objects.filter(pk__in=ids).update(personalization=False)
        try:
            add("event_stream", _stream_erase(ids))
            add("realtime_keys", _realtime_erase(ids))
        except realtime.RealtimeUnavailable as exc:
            raise unavailable from exc
        for store in registered_stores():
            add(store.name, store.eraser(ids))
        add("archived_interactions", archive.archive_erase_shoppers(shopper_ids=ids))
        for name, count in _database_erase(ids).items():
            add(name, count)
        # What a consumer or archive run still in flight wrote back meanwhile.
        add("archived_interactions", archive.archive_erase_shoppers(shopper_ids=ids))
        try:
            add("realtime_keys", _realtime_sweep(ids))
        except realtime.RealtimeUnavailable:
            logger.warning("erasure %s: real-time sweep skipped, store unavailable", record.subject_ref)
        completed = True
    finally:
        _record_progress(record, counts, completed=completed)
    return ErasureReport(subject_ref=record.subject_ref, stores=counts, completed_at=record.completed_at)


def _record_progress(record: ErasureRecord, counts: dict[str, int], *, completed: bool) -> None:
    """Add this run's counts to the record (also when it failed part way); a run that found
    nothing left leaves a completed record as it was."""
    erased = any(counts.values())
    if not erased and not (completed and record.completed_at is None):
        return
    previous = record.stores or {}
    record.stores = {name: previous.get(name, 0) + counts.get(name, 0) for name in sorted({*previous, *counts})}
    if completed:
        record.completed_at = timezone.now()
    record.save(update_fields=["stores", "completed_at"])
