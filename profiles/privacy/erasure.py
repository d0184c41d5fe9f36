"""A shopper's data, erased everywhere it is kept: ``shopper_erase(shopper=..., requested_by=...)``
deletes it from every store and leaves an ``ErasureRecord`` that says who asked, when, and how
much went from each store, and nothing else.

What "everywhere" covers, for the shopper and the anonymous visitors merged into them: the rows
of the database (as ``export`` lists them, plus events parked in the backlog, the admin history
of the account, and the shopper, visitor and user rows themselves), the real-time store
(``rt:s:<id>:*`` and their entries still in the event stream), every archived hour file that
holds their interactions (rewritten without them), and what the apps above keep (the receivers
of ``signals.shopper_erased``).

Erasure order: ingestion is switched off for the shopper first (no new event is recorded), then
the real-time store is cleared, then the archive, then the database in one transaction (with the
receivers of ``signals.shopper_erased``), then the archive and the real-time keys once more, for
what a worker still in flight wrote meanwhile. If a step fails, nothing after it ran: the record
stays incomplete (``completed_at`` unset) and running the erasure again finishes it. Re-running a
completed erasure changes nothing.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from content.models import Comment
from feedsite import realtime
from feedsite.dispatch import answers
from feedsite.errors import ApplicationError
from profiles.events import state, stream
from profiles.events.models import EventBacklog, Interaction
from profiles.messages.models import Message, MessagePreference
from profiles.models import ConsentRecord, Follow, Interest, Like, Shopper
from profiles.privacy import archive, signals
from profiles.privacy.models import ErasureRecord
from profiles.privacy.subjects import PrivacyStoreUnavailable, iso, realtime_keys, shopper_ids
from profiles.shop.models import CartLine, Order, StockAlert

logger = logging.getLogger(__name__)

SUBJECT_REF_SALT = "profiles.privacy.erasure-subject"
# Stream entries read per round trip while looking for a shopper's: ~10,000 × 300 bytes = 3 MB.
STREAM_PAGE = 10_000
# An event's shopper in its stream payload (then confirmed by decoding it).
_SHOPPER_FIELD = re.compile(rb'"s":(\d+)')
# Expired visitors deleted per transaction, and at most per run (the next run takes the rest).
EXPIRE_BATCH = 500
EXPIRE_MAX_PER_RUN = 20_000


def subject_ref(shopper_id: int) -> str:
    """The erasure record's name for a shopper: HMAC-SHA256 of the id, keyed by SECRET_KEY.

    The same shopper always gets the same ref, so a repeated request finds its record, and the
    ref alone does not say who it was. Shopper ids are small numbers, so whoever holds SECRET_KEY
    can recompute the ref of any id: that is how an operator answers "was shopper N erased?".
    Rotating SECRET_KEY ends that link for older records.
    """
    return salted_hmac(SUBJECT_REF_SALT, str(shopper_id), algorithm="sha256").hexdigest()


@dataclass
class ErasureReport:
    subject_ref: str
    stores: dict[str, int] = field(default_factory=dict)
    completed_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"subject_ref": self.subject_ref, "stores": self.stores, "completed_at": iso(self.completed_at)}


def _stream_erase(ids: Sequence[int]) -> int:
    """Delete the shoppers' entries from the event stream (consumed or not); returns how many."""
    client = realtime.worker_client()
    wanted = set(ids)
    removed = 0
    start = "-"
    while True:
        page = client.xrange(stream.STREAM, min=start, count=STREAM_PAGE)
        if not page:
            return removed
        doomed = []
        for entry_id, fields in page:
            data = fields.get(b"d", b"")
            # One look per entry however many shoppers are wanted (the expiry erases thousands).
            maybe = any(int(found) in wanted for found in _SHOPPER_FIELD.findall(data))
            if maybe and json.loads(data).get("s") in wanted:
                doomed.append(entry_id)
        if doomed:
            removed += int(client.xdel(stream.STREAM, *doomed))
        start = f"({page[-1][0].decode()}"


def _realtime_erase(ids: Sequence[int]) -> int:
    client = realtime.worker_client()
    keys = [key for shopper_id in ids for key in realtime_keys(shopper_id)]
    return int(client.unlink(*keys)) if keys else 0


def _realtime_sweep(ids: Sequence[int]) -> int:
    """The keys an in-flight consumer or request may have written again after ``_realtime_erase``."""
    keys = [
        state.shopper_key(shopper_id, part) for shopper_id in ids for part in ("aff", "intent", "recent", "sess", "pre")
    ]
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
            "stock_alerts": StockAlert.objects.filter(shopper_id__in=ids).delete()[0],
            "messages": Message.objects.filter(shopper_id__in=ids).delete()[0],
            "message_preferences": MessagePreference.objects.filter(shopper_id__in=ids).delete()[0],
            # An order's lines go with it: counted as the orders.
            "orders": Order.objects.filter(shopper_id__in=ids).delete()[1].get(Order._meta.label, 0),
            "comments": Comment.objects.filter(author_id__in=user_ids).delete()[0],
        }
        for stores in answers(signals.shopper_erased, Shopper, shopper_ids=ids):
            for name, count in stores.items():
                counts[name] = counts.get(name, 0) + count
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
    if not ids:  # a visitor who never wrote anything: nothing is stored about them, nothing to record
        return ErasureReport(subject_ref="", completed_at=timezone.now())
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


def _expired(before: datetime) -> Q:
    """Anonymous visitors (no account, not merged into one, not a dataset's) with no write since ``before``."""
    return Q(**Shopper.VISITOR_IDENTITY) & (
        Q(last_seen_at__lt=before) | Q(last_seen_at__isnull=True, created_at__lt=before)
    )


def visitors_expire(*, now: datetime | None = None) -> dict[str, int]:
    """Erase anonymous visitors with no write for ``VISITOR_RETENTION_DAYS`` from every store, as
    ``shopper_erase`` does, without a record each (nobody asked: it is retention); returns how
    much went from each store, and ``visitors``, how many.

    At most ``EXPIRE_MAX_PER_RUN`` a run: the event stream is walked once for them all, then
    ``EXPIRE_BATCH`` at a time their real-time keys, archive files and database rows, the rows in
    one transaction where each visitor is checked again (one who wrote meanwhile keeps the row and
    what they wrote since). Safe to run twice and beside traffic; a run that fails part way (the
    real-time store down) leaves the rest to the next run.
    """
    before = (now or timezone.now()) - timedelta(days=settings.VISITOR_RETENTION_DAYS)
    ids = list(
        Shopper.objects.filter(_expired(before)).order_by("pk").values_list("pk", flat=True)[:EXPIRE_MAX_PER_RUN]
    )
    counts: dict[str, int] = {"visitors": 0}

    def add(name: str, count: int) -> None:
        counts[name] = counts.get(name, 0) + count

    if not ids:
        return counts
    add("event_stream", _stream_erase(ids))
    for start in range(0, len(ids), EXPIRE_BATCH):
        batch = ids[start : start + EXPIRE_BATCH]
        # The keys by name (``_realtime_sweep``): a keyspace scan per visitor would not end.
        add("realtime_keys", _realtime_sweep(batch))
        add("archived_interactions", archive.archive_erase_shoppers(shopper_ids=batch))
        with transaction.atomic():
            still = list(
                Shopper.objects.select_for_update(skip_locked=True)
                .filter(_expired(before), pk__in=batch)
                .values_list("pk", flat=True)
            )
            for name, count in _database_erase(still).items():
                add(name, count)
            counts["visitors"] += len(still)
    logger.info("expired %d anonymous visitors: %s", counts["visitors"], counts)
    return counts
