"""Writes of reputation and trust: the incremental recomputes, the daily reconciliation, touches.

The incremental recomputes read interactions in id order past a ``ReputationCursor`` ("creators",
"shoppers"), in batches of ``MODERATION_REPUTATION_BATCH``, one transaction per batch that holds
the cursor's row lock, writes what the batch changed and moves the cursor: a second run (or a
concurrent one, which waits for the lock) starts where the first stopped and never counts an
interaction twice. Only creators and shoppers a batch names (and creators marked stale by
``creator_reputation_touch``) are rewritten.

Running totals drift when events past retention are deleted, and account age grows without any
event: ``creator_reputations_reconcile`` (daily) recounts every creator's totals up to the cursor,
and ``shopper_trust_reconcile`` recomputes every stored trust and pushes the counting weights again
(the real-time store may have lost them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from itertools import islice

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from content.models import Creator
from feedsite import realtime
from feedsite.errors import ApplicationError
from moderation.audit import audit_record
from moderation.models import AuditEntry, CreatorStanding, ReputationCursor, ShopperTrust
from moderation.reputation import creators, selectors, shoppers
from moderation.reputation.selectors import ENGAGEMENT_FIELDS, Engagement, Judged
from profiles.events.state import shopper_count_weights_set
from profiles.models import Shopper
from ranking import catalog

logger = logging.getLogger(__name__)

CREATORS, SHOPPERS = "creators", "shoppers"
# Creators or shoppers per transaction of the reconciliation: a bulk update sends two parameters
# per row and column (15 columns: ~31,000), under PostgreSQL's 65,535; Django splits for SQLite.
RECONCILE_CHUNK = 1_000
# What the recompute writes of a standing (never the block, nor a moderator's override).
_STANDING_FIELDS = (
    *ENGAGEMENT_FIELDS,
    "items_judged",
    "items_removed",
    "upheld_reports",
    "account_age_days",
    "computed",
    "reputation_at",
    "stale",
)
_TRUST_FIELDS = (
    "computed",
    "events",
    "impressions",
    "actions",
    "unexposed_actions",
    "peak_per_minute",
    "gap_cv",
    "computed_at",
)


def creator_reputation_touch(*, creator_ids: Iterable[int]) -> int:
    """Mark creators stale: an item's status or a report about their items changed, so the next
    incremental run recomputes them. Creates the standing rows that are missing; unknown ids are
    ignored. Returns how many were marked. Runs in the caller's transaction."""
    ids = set(Creator.objects.filter(pk__in=set(creator_ids)).values_list("pk", flat=True))
    if not ids:
        return 0
    CreatorStanding.objects.bulk_create(
        [CreatorStanding(creator_id=pk, stale=True) for pk in ids], ignore_conflicts=True
    )
    return CreatorStanding.objects.filter(creator_id__in=ids).update(stale=True)


def _locked_cursor(name: str) -> ReputationCursor:
    """The cursor called ``name``, created at 0 if missing, locked until the transaction ends."""
    ReputationCursor.objects.get_or_create(name=name)
    return ReputationCursor.objects.select_for_update().get(name=name)


def _advanced(cursor: ReputationCursor, rows: Sequence[selectors.Row], now: datetime) -> None:
    if rows:
        cursor.last_id = rows[-1].id
    cursor.at = now
    cursor.save(update_fields=["last_id", "at"])


def _score(standing: CreatorStanding, judged: Judged, now: datetime) -> None:
    """Set ``standing``'s moderation evidence from ``judged`` and its scores from all its evidence."""
    standing.items_judged, standing.items_removed = judged.judged, judged.removed
    standing.upheld_reports, standing.account_age_days = judged.upheld, judged.age_days
    standing.computed = creators.reputation(selectors.evidence_of(standing))
    standing.reputation = standing.override if standing.override is not None else standing.computed
    standing.reputation_at = now
    standing.stale = False


def _creators_batch(*, now: datetime, size: int) -> tuple[int, bool]:
    """One batch of the incremental creator recompute: (creators rewritten, whether more is waiting)."""
    settled = now - timedelta(seconds=settings.MODERATION_REPUTATION_SETTLE_SECONDS)
    with transaction.atomic():
        cursor = _locked_cursor(CREATORS)
        rows = selectors.interactions_after(last_id=cursor.last_id, limit=size, settled_before=settled)
        engagement = selectors.engagement_by_creator(rows)
        touched = engagement.keys() | set(
            CreatorStanding.objects.filter(stale=True).values_list("creator_id", flat=True)
        )
        if engagement:
            CreatorStanding.objects.bulk_create(
                [CreatorStanding(creator_id=pk) for pk in engagement], ignore_conflicts=True
            )
        # Locked in creator order (as every writer of several standings does), then judged: a
        # decision committed before the lock is counted, one after it marks the creator stale again.
        standings = list(
            CreatorStanding.objects.select_for_update().filter(creator_id__in=touched).order_by("creator_id")
        )
        judged = selectors.judged_by_creator(touched, now=now)
        for standing in standings:
            new = engagement.get(standing.creator_id, Engagement())
            for name in ENGAGEMENT_FIELDS:
                setattr(standing, name, max(getattr(standing, name) + getattr(new, name), 0))
            _score(standing, judged.get(standing.creator_id, Judged()), now)
        CreatorStanding.objects.bulk_update(standings, [*_STANDING_FIELDS, "reputation"])
        _advanced(cursor, rows, now)
    return len(standings), len(rows) == size


def creator_reputations_advance(*, now: datetime | None = None, max_batches: int = 20) -> int:
    """The incremental recompute of creators (module docstring): at most ``max_batches`` batches
    (the next run goes on); returns how many standings were rewritten."""
    now = now or timezone.now()
    rewritten = 0
    for _ in range(max_batches):
        count, more = _creators_batch(now=now, size=settings.MODERATION_REPUTATION_BATCH)
        rewritten += count
        if not more:
            break
    return rewritten


def _chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    it = iter(ids)
    while chunk := list(islice(it, size)):
        yield chunk


def creator_reputations_reconcile(*, now: datetime | None = None) -> int:
    """Recount every creator's totals from the stored interactions up to the cursor and recompute
    them (daily): creators with an item, an interaction or a standing row. One transaction per
    ``RECONCILE_CHUNK`` creators, each holding the cursor's lock, so the incremental run neither
    double-counts nor loses what it adds meanwhile. Returns how many standings were written."""
    now = now or timezone.now()
    ids = sorted(selectors.creators_with_items() | set(CreatorStanding.objects.values_list("creator_id", flat=True)))
    written = 0
    for chunk in _chunks(ids, RECONCILE_CHUNK):
        with transaction.atomic():
            cursor = _locked_cursor(CREATORS)
            engagement = selectors.engagement_through(cursor.last_id, chunk)
            judged = selectors.judged_by_creator(chunk, now=now)
            locked = CreatorStanding.objects.select_for_update().filter(creator_id__in=chunk).order_by("creator_id")
            existing = {standing.creator_id: standing for standing in locked}
            rows = []
            for creator in chunk:
                if creator not in judged:
                    continue  # deleted since the list was read
                standing = existing.get(creator) or CreatorStanding(creator_id=creator)
                found = engagement.get(creator, Engagement())
                for name in ENGAGEMENT_FIELDS:
                    setattr(standing, name, max(getattr(found, name), 0))
                _score(standing, judged[creator], now)
                rows.append(standing)
            CreatorStanding.objects.bulk_update([r for r in rows if r.pk], [*_STANDING_FIELDS, "reputation"])
            # A row a touch inserted meanwhile is stale: the next incremental run computes it.
            CreatorStanding.objects.bulk_create([r for r in rows if not r.pk], ignore_conflicts=True)
            written += len(rows)
    return written


def _trust_write(inputs: dict[int, shoppers.TrustInputs], now: datetime) -> None:
    """Store each shopper's computed trust and inputs, then ``trust`` = the override if any, else
    computed; the counting weights follow once the transaction commits."""
    if not inputs:
        return
    ShopperTrust.objects.bulk_create(
        [
            ShopperTrust(
                shopper_id=shopper,
                computed=shoppers.trust(found),
                events=found.events,
                impressions=found.impressions,
                actions=found.actions,
                unexposed_actions=found.unexposed_actions,
                peak_per_minute=found.peak_per_minute,
                gap_cv=found.gap_cv,
                computed_at=now,
                trust=shoppers.trust(found),
            )
            for shopper, found in sorted(inputs.items())
        ],
        update_conflicts=True,
        unique_fields=["shopper"],
        update_fields=list(_TRUST_FIELDS),
    )
    rows = ShopperTrust.objects.filter(shopper_id__in=inputs)
    rows.update(trust=Coalesce(F("override"), F("computed")))
    _weights_on_commit(dict(rows.values_list("shopper_id", "trust")))


def _weights_on_commit(trust: dict[int, float]) -> None:
    """Once committed, tell the real-time store how much each of these shoppers' events count:
    their trust below ``MODERATION_LOW_TRUST``, fully otherwise."""
    weights = {shopper: value if value < settings.MODERATION_LOW_TRUST else 1.0 for shopper, value in trust.items()}

    def push() -> None:
        try:
            shopper_count_weights_set(weights)
        except realtime.RealtimeUnavailable:
            logger.warning("the real-time store is down: counting weights wait for the daily reconciliation")

    transaction.on_commit(push)


def _shoppers_batch(*, now: datetime, size: int) -> tuple[int, bool]:
    settled = now - timedelta(seconds=settings.MODERATION_REPUTATION_SETTLE_SECONDS)
    with transaction.atomic():
        cursor = _locked_cursor(SHOPPERS)
        rows = selectors.interactions_after(last_id=cursor.last_id, limit=size, settled_before=settled)
        touched = {row.shopper_id for row in rows}
        _trust_write(selectors.trust_inputs(touched, now=now), now)
        _advanced(cursor, rows, now)
    return len(touched), len(rows) == size


def shopper_trust_advance(*, now: datetime | None = None, max_batches: int = 20) -> int:
    """The incremental recompute of trust: only shoppers with new events (since the "shoppers"
    cursor), each from their window of events; returns how many shoppers were rewritten."""
    now = now or timezone.now()
    rewritten = 0
    for _ in range(max_batches):
        count, more = _shoppers_batch(now=now, size=settings.MODERATION_REPUTATION_BATCH)
        rewritten += count
        if not more:
            break
    return rewritten


def shopper_trust_reconcile(*, now: datetime | None = None) -> int:
    """Recompute every stored trust from its window (which slides without new events) and push
    every counting weight again; returns how many."""
    now = now or timezone.now()
    ids = list(ShopperTrust.objects.order_by("shopper_id").values_list("shopper_id", flat=True))
    for chunk in _chunks(ids, RECONCILE_CHUNK):
        with transaction.atomic():
            _trust_write(selectors.trust_inputs(chunk, now=now), now)
    return len(ids)


def _override_checked(value: float | None, reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say why: the reason is recorded with the override.", code="reason_required")
    if value is not None and not 0.0 <= value <= 1.0:
        raise ApplicationError("An override is a number from 0 to 1.", code="invalid_value", extra={"value": value})
    return reason


def _override_apply(
    row: CreatorStanding | ShopperTrust, *, value: float | None, by: User | None, reason: str, score: str
) -> None:
    """Store (or clear, ``value`` None) the override on ``row``; ``score`` (the field the product
    reads) becomes the override, or the computed value again."""
    overridden = value is not None
    row.override = value
    row.override_reason = reason if overridden else ""
    row.override_by = by if overridden else None
    row.override_at = timezone.now() if overridden else None
    setattr(row, score, value if overridden else row.computed)
    row.save(update_fields=["override", "override_reason", "override_by", "override_at", score])


def creator_reputation_override(
    *, creator: Creator, value: float | None, by: User | None, reason: str
) -> CreatorStanding:
    """Set (``value`` in 0..1) or clear (None) a moderator's override of ``creator``'s reputation:
    ``reputation`` becomes the override, or the computed score again. Audited
    (``REPUTATION_OVERRIDE``, data before/after). Refuses (``ApplicationError``, nothing written)
    without a reason, outside 0..1, or clearing where there is no override."""
    reason = _override_checked(value, reason)
    with transaction.atomic():
        standing, _ = CreatorStanding.objects.select_for_update().get_or_create(creator=creator)
        if value is None and standing.override is None:
            raise ApplicationError(f"{creator}'s reputation is not overridden.", code="no_override")
        before = {"override": standing.override, "reputation": standing.reputation}
        _override_apply(standing, value=value, by=by, reason=reason, score="reputation")
        audit_record(
            actor=by,
            action=AuditEntry.Action.REPUTATION_OVERRIDE,
            target=creator,
            note=reason,
            data={
                "before": before,
                "after": {"override": value, "reputation": standing.reputation},
                "computed": standing.computed,
            },
        )
        # This process serves the new bar crossing at once; the others within the catalog's TTL.
        transaction.on_commit(catalog.clear_cache)
    return standing


def shopper_trust_override(*, shopper: Shopper, value: float | None, by: User | None, reason: str) -> ShopperTrust:
    """Set or clear a moderator's override of ``shopper``'s trust, as ``creator_reputation_override``
    does (audited ``TRUST_OVERRIDE``); the shopper's counting weight follows after commit."""
    reason = _override_checked(value, reason)
    with transaction.atomic():
        row, _ = ShopperTrust.objects.select_for_update().get_or_create(shopper=shopper)
        if value is None and row.override is None:
            raise ApplicationError(f"The trust of shopper {shopper.pk} is not overridden.", code="no_override")
        before = {"override": row.override, "trust": row.trust}
        _override_apply(row, value=value, by=by, reason=reason, score="trust")
        audit_record(
            actor=by,
            action=AuditEntry.Action.TRUST_OVERRIDE,
            target=shopper,
            note=reason,
            data={"before": before, "after": {"override": value, "trust": row.trust}, "computed": row.computed},
        )
        _weights_on_commit({shopper.pk: row.trust})
    return row
