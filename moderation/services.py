"""Moderators' decisions about creators (block, unblock); reputation and trust are ``moderation.reputation``."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from content.models import ContentItem, Creator
from feedsite.errors import ApplicationError
from moderation.audit import audit_record
from moderation.models import AuditEntry, CreatorDecision, CreatorStanding
from ranking import catalog, push


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
        if blocked:
            # Open pages drop the creator's cards now (and so do the snapshots of the web processes).
            transaction.on_commit(lambda: push.items_withdrawn(_published_ids(creator)))
    return standing


def _published_ids(creator: Creator) -> list[int]:
    published = ContentItem.objects.filter(creator=creator, status=ContentItem.Status.PUBLISHED)
    return list(published.values_list("pk", flat=True))


def creator_block(*, creator: Creator, by: User | None, reason: str, reason_code: str = "") -> CreatorStanding:
    """Block ``creator``: none of their items is served any more, and open pages drop their cards
    (``ranking.push.items_withdrawn``, after commit). Records the decision and its audit row
    (``BLOCK``, the reason as its note, ``reason_code`` a ``ReasonCode`` or blank).

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
