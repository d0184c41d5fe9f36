"""Every write to moderation: moderators' decisions about creators, and the reputation recompute."""

from __future__ import annotations

from datetime import datetime
from itertools import islice

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from content.models import Creator
from feedsite.errors import ApplicationError
from moderation import reputation
from moderation.audit import audit_record
from moderation.models import AuditEntry, CreatorDecision, CreatorStanding
from ranking import catalog

# Rows per upsert statement: ~11 parameters each, well under PostgreSQL's 65,535 and SQLite's 32,766.
RECOMPUTE_BATCH = 2_000


def _decide(*, creator: Creator, by: User | None, reason: str, blocked: bool, reason_code: str) -> CreatorStanding:
    action = CreatorDecision.Action.BLOCK if blocked else CreatorDecision.Action.UNBLOCK
    now = timezone.now()
    with transaction.atomic():
        standing, _ = CreatorStanding.objects.select_for_update().get_or_create(creator=creator)
        if standing.blocked and blocked:
            raise ApplicationError(f"{creator} is already blocked.", code="already_blocked")
        if not standing.blocked and not blocked:
            raise ApplicationError(f"{creator} is not blocked.", code="not_blocked")
        standing.blocked = blocked
        standing.reason = reason
        standing.updated_by = by
        standing.updated_at = now
        standing.save(update_fields=["blocked", "reason", "updated_by", "updated_at"])
        CreatorDecision.objects.create(
            creator=creator, creator_handle=creator.handle, action=action, reason=reason, by=by, at=now
        )
        audit_record(
            actor=by,
            action=AuditEntry.Action.BLOCK if blocked else AuditEntry.Action.UNBLOCK,
            target=creator,
            reason_code=reason_code,
            note=reason,
        )
        # This process serves the change at once; the others rebuild their snapshot within its TTL
        # (cards are checked against the database on every page in any case).
        transaction.on_commit(catalog.clear_cache)
    return standing


def creator_block(*, creator: Creator, by: User | None, reason: str, reason_code: str = "") -> CreatorStanding:
    """Block ``creator``: none of their items is served any more. Records the decision and its
    audit row (``BLOCK``, the reason as its note, ``reason_code`` a ``ReasonCode`` or blank).

    Refuses (``ApplicationError``, nothing written) without a reason or when already blocked.
    """
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say why the creator is blocked.", code="reason_required")
    return _decide(creator=creator, by=by, reason=reason, blocked=True, reason_code=reason_code)


def creator_unblock(*, creator: Creator, by: User | None, reason: str = "") -> CreatorStanding:
    """Lift a block: the creator is served again unless their reputation is below the bar. Records
    the decision and its audit row (``UNBLOCK``); refuses (nothing written) when the creator is not
    blocked."""
    return _decide(creator=creator, by=by, reason=reason.strip(), blocked=False, reason_code="")


def creator_reputations_recompute(*, now: datetime | None = None) -> int:
    """Recompute the reputation of every creator with evidence or a standing row; returns how many.

    Writes only the reputation columns (one upsert per ``RECOMPUTE_BATCH`` creators, each its own
    statement, so a moderator's decision never waits for the whole run): a block taken meanwhile is
    kept. Safe to run twice. A creator whose evidence is gone (events past retention) goes back
    towards neutral.
    """
    now = now or timezone.now()
    evidence = reputation.evidence_by_creator()
    creators = evidence.keys() | set(CreatorStanding.objects.values_list("creator_id", flat=True))
    rows = (
        CreatorStanding(
            creator_id=creator,
            reputation=reputation.reputation(found := evidence.get(creator, reputation.Evidence())),
            items_judged=found.judged,
            items_removed=found.removed,
            impressions=found.impressions,
            hides=found.hides,
            reputation_at=now,
        )
        for creator in sorted(creators)
    )
    while batch := list(islice(rows, RECOMPUTE_BATCH)):
        CreatorStanding.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["creator"],
            update_fields=["reputation", "items_judged", "items_removed", "impressions", "hides", "reputation_at"],
        )
    return len(creators)
