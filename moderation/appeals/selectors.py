"""Reads of decisions and appeals: why an item is in its state, whether its creator may appeal, and
what the studio shows (the answers to ``content.signals.studio_item_states`` and
``studio_removed_listed``, connected in ``ModerationConfig.ready``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse

from content.models import ContentItem
from moderation.audit import SYSTEM
from moderation.models import Appeal, AuditEntry, ReasonCode

Status = ContentItem.Status
Action = AuditEntry.Action

# The decisions that put an item in each status a creator is told about (the latest one applies).
DECIDED_BY: dict[str, frozenset[str]] = {
    Status.REJECTED: frozenset({Action.REJECT, Action.SCREEN}),
    Status.REMOVED: frozenset({Action.REMOVE}),
    Status.HIDDEN: frozenset({Action.HIDE, Action.AUTO_HIDE}),
}
# The one decision per status a creator may appeal, when a moderator (not the system) took it.
CONTESTABLE: dict[str, str] = {Status.REJECTED: Action.REJECT, Status.REMOVED: Action.REMOVE}
_ANY_DECISION = frozenset().union(*DECIDED_BY.values())


def latest_decisions(items: Iterable[ContentItem]) -> dict[int, AuditEntry]:
    """For each item rejected, removed or hidden, the latest audit entry that put it in that state
    (``DECIDED_BY``); items without one are left out. One query (none without such items)."""
    statuses = {item.pk: item.status for item in items if item.status in DECIDED_BY}
    if not statuses:
        return {}
    entries = AuditEntry.objects.filter(
        target_type=AuditEntry.Target.ITEM, target_id__in=statuses, action__in=_ANY_DECISION
    ).order_by("-at", "-pk")
    latest: dict[int, AuditEntry] = {}
    for entry in entries:
        item_id = entry.target_id
        assert item_id is not None
        if item_id not in latest and entry.action in DECIDED_BY[statuses[item_id]]:
            latest[item_id] = entry
    return latest


def _contests(item: ContentItem, decision: AuditEntry | None) -> bool:
    return decision is not None and decision.action == CONTESTABLE.get(item.status) and decision.actor_name != SYSTEM


def contestable(item: ContentItem, decision: AuditEntry | None) -> bool:
    """``item`` may be appealed: not appealed yet, and ``decision``, the latest that put it in its
    state, is a moderator's rejection or removal. A post the creator deleted, an automatic check's
    rejection and a hide pending review cannot be appealed."""
    return item.appealed_at is None and _contests(item, decision)


def contested_decision(item: ContentItem) -> AuditEntry | None:
    """The moderator's rejection or removal that put ``item`` in its current state, or ``None``
    (whether or not it was appealed already: ``appealed_at`` is the caller's to check). One query."""
    decision = latest_decisions([item]).get(item.pk)
    return decision if _contests(item, decision) else None


def decision_json(entry: AuditEntry) -> dict[str, Any]:
    label = ReasonCode(entry.reason_code).label if entry.reason_code in ReasonCode.values else ""
    return {"reason_code": entry.reason_code, "reason_label": label, "note": entry.note, "at": entry.at.isoformat()}


def appeal_json(appeal: Appeal) -> dict[str, Any]:
    return {"status": appeal.status, "at": appeal.at.isoformat(), "response": appeal.response}


def studio_item_states(*, items: Sequence[ContentItem], **_: object) -> dict[int, dict[str, Any]]:
    """``content.signals.studio_item_states``: each item's ``decision`` (rejected, removed or hidden:
    the reason code, its label and the note), its ``appeal`` and whether one may be made
    (``can_appeal``, with the studio page's ``appeal_url``). At most two queries."""
    decisions = latest_decisions(items)
    appealed = [item.pk for item in items if item.appealed_at is not None]
    appeals = {a.item_id: a for a in Appeal.objects.filter(item_id__in=appealed)} if appealed else {}
    states: dict[int, dict[str, Any]] = {}
    for item in items:
        decision = decisions.get(item.pk)
        appeal = appeals.get(item.pk)
        can_appeal = contestable(item, decision)
        states[item.pk] = {
            "decision": decision_json(decision) if decision is not None else None,
            "appeal": appeal_json(appeal) if appeal is not None else None,
            "can_appeal": can_appeal,
            "appeal_url": reverse("studio-appeal", args=[item.pk]) if can_appeal else None,
        }
    return states


def removed_by_moderation(**_: object) -> Exists:
    """``content.signals.studio_removed_listed``: a removed item is listed in the studio when a
    decision (a moderator's, or the system's) removed it; a post its creator deleted has none."""
    return Exists(
        AuditEntry.objects.filter(
            target_type=AuditEntry.Target.ITEM, target_id=OuterRef("pk"), action=AuditEntry.Action.REMOVE
        )
    )
