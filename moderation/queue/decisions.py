"""Moderators' decisions on items, comments and creator profiles, and on creators' appeals.

Every decision is a service (keyword-only, owning its transaction) that:

- refuses, with an ``ApplicationError`` and nothing written: an unknown reason code
  (``invalid_reason_code``), "within the rules" as the reason for a decision against the target
  (``reason_required``), a note over ``NOTE_MAX`` characters (``note_too_long``), a target whose
  open case another moderator holds (``claimed``) or that contests the decider's own decision
  (``not_for_you``), and a step the target's workflow does not allow (``invalid_transition``);
- changes the target through its owner's service (``content.services``, ``moderation.services``);
- closes the target's open case (``closed_by``, ``closed_at``, ``outcome`` = the audit action) and
  settles its open reports: upheld by a decision against the target, dismissed by an approval;
- writes one ``AuditEntry`` (actor, reason code, note; ``data``: the case, the status before and
  after, the settled reports);
- after commit, runs ``_after_decision``.

``case_decide`` takes any of them by name for a case (the admin's buttons, shortcuts and bulk
actions); ``DECISIONS`` lists them with their labels and keyboard shortcuts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from content.models import Comment, ContentItem, Creator
from content.services import (
    comment_set_status,
    content_hide,
    content_publish,
    content_reinstate,
    content_reject,
    content_remove,
)
from feedsite.errors import ApplicationError
from moderation import services as moderation_services
from moderation import signals
from moderation.audit import audit_record
from moderation.models import Appeal, AuditEntry, Case, ReasonCode, Report
from moderation.queue.services import claim_refusal
from moderation.reputation.services import creator_reputation_touch

Action = AuditEntry.Action
# A note is for the creator and the next moderator: a few sentences.
NOTE_MAX = 1000
# A removed comment is a hidden one with this reason: it is never shown again.
COMMENT_REMOVED = "removed"


@dataclass(frozen=True)
class Decision:
    name: str
    label: str
    key: str  # the keyboard shortcut on the case page
    done: str  # "approved": what the moderator is told
    action: str  # the audit row's action, and the closed case's outcome
    against: bool  # against the target: its reports are upheld, and "within the rules" is no reason


APPROVE = Decision("approve", "Approve", "a", "approved", Action.APPROVE, against=False)
REJECT = Decision("reject", "Reject", "r", "rejected", Action.REJECT, against=True)
REMOVE = Decision("remove", "Remove", "x", "removed", Action.REMOVE, against=True)
HIDE = Decision("hide", "Hide", "h", "hidden", Action.HIDE, against=True)
BLOCK = Decision("block", "Block creator", "b", "blocked", Action.BLOCK, against=True)
GRANT = Decision("grant", "Grant appeal", "g", "granted", Action.APPEAL_GRANT, against=False)
DENY = Decision("deny", "Deny appeal", "d", "denied", Action.APPEAL_DENY, against=True)
DECISIONS = {decision.name: decision for decision in (APPROVE, REJECT, REMOVE, HIDE, BLOCK, GRANT, DENY)}


def _after_decision() -> None:
    """Runs once after each decision commits: decisions are the classifier's training data."""
    signals.decision_taken.send_robust(sender=AuditEntry)


def _checked(decision: Decision, reason_code: str, note: str) -> tuple[str, str]:
    if reason_code not in ReasonCode.values:
        raise ApplicationError(
            f"Unknown reason code {reason_code!r}.", code="invalid_reason_code", extra={"choices": ReasonCode.values}
        )
    if decision.against and reason_code == ReasonCode.OK:
        raise ApplicationError(
            f"Say which rule was broken: “{ReasonCode.OK.label}” is no reason to {decision.label.lower()}.",
            code="reason_required",
        )
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(f"The note is longer than {NOTE_MAX} characters.", code="note_too_long")
    return reason_code, note


def told(reason_code: str, note: str) -> str:
    """What the creator is told (``status_reason``): the reason code's label, then the note."""
    label = str(ReasonCode(reason_code).label)
    return f"{label}: {note}" if note else label


def _open_case(*, by: User, **target: Any) -> Case | None:
    """The target's open case, locked until the caller's transaction ends; refuses when ``by`` may
    not decide it (someone else's unexpired claim, or an appeal against ``by``'s own decision)."""
    case = Case.objects.select_for_update().filter(status=Case.Status.OPEN, **target).first()
    if case is not None and (refused := claim_refusal(case=case, by=by, now=timezone.now())) is not None:
        raise refused
    return case


def _settle(*, case: Case | None, by: User, decision: Decision, reports: QuerySet[Report]) -> list[int]:
    """Close ``case`` with ``decision`` and settle the open ``reports``; returns their ids."""
    open_ids = list(reports.filter(status=Report.Status.OPEN).order_by("pk").values_list("pk", flat=True))
    settled = Report.Status.UPHELD if decision.against else Report.Status.DISMISSED
    Report.objects.filter(pk__in=open_ids).update(status=settled)
    if case is not None:
        case.status = Case.Status.CLOSED
        case.closed_by = by
        case.closed_at = timezone.now()
        case.outcome = decision.action
        case.save(update_fields=["status", "closed_by", "closed_at", "outcome"])
    return open_ids


def _record(
    *, by: User, decision: Decision, target: models.Model, case: Case | None, code: str, note: str, **data: Any
) -> None:
    audit_record(
        actor=by,
        action=decision.action,
        target=target,
        reason_code=code,
        note=note,
        data={"case": case.pk if case else None, **data},
    )
    if isinstance(target, ContentItem) and target.creator_id is not None:
        # Its status or upheld reports changed the creator's record: recomputed on the next run.
        creator_reputation_touch(creator_ids=[target.creator_id])
    transaction.on_commit(_after_decision)


# Items


def _item_decide(
    *,
    item: ContentItem,
    by: User,
    decision: Decision,
    reason_code: str,
    note: str,
    step: Callable[[ContentItem, str], ContentItem],
) -> ContentItem:
    code, note = _checked(decision, reason_code, note)
    with transaction.atomic():
        was = ContentItem.objects.select_for_update().values_list("status", flat=True).get(pk=item.pk)
        case = _open_case(by=by, item=item)
        done = step(item, told(code, note))
        reports = _settle(case=case, by=by, decision=decision, reports=Report.objects.filter(item=item))
        _record(
            by=by,
            decision=decision,
            target=done,
            case=case,
            code=code,
            note=note,
            **{"from": was, "to": done.status, "reports": reports},
        )
    return done


def item_approve(*, item: ContentItem, by: User, reason_code: str = ReasonCode.OK, note: str = "") -> ContentItem:
    """Publish a pending or hidden item (``scheduled`` while its ``publish_at`` is ahead)."""
    return _item_decide(
        item=item,
        by=by,
        decision=APPROVE,
        reason_code=reason_code,
        note=note,
        step=lambda i, _: content_publish(item=i),
    )


def item_reject(*, item: ContentItem, by: User, reason_code: str, note: str = "") -> ContentItem:
    """Reject a pending item; the creator is told the reason's label and the note (``told``)."""
    return _item_decide(
        item=item,
        by=by,
        decision=REJECT,
        reason_code=reason_code,
        note=note,
        step=lambda i, why: content_reject(item=i, reason=why),
    )


def item_remove(*, item: ContentItem, by: User, reason_code: str, note: str = "") -> ContentItem:
    """Take an item down for good (only a granted appeal brings it back)."""
    return _item_decide(
        item=item,
        by=by,
        decision=REMOVE,
        reason_code=reason_code,
        note=note,
        step=lambda i, why: content_remove(item=i, reason=why),
    )


def item_hide(*, item: ContentItem, by: User, reason_code: str, note: str = "") -> ContentItem:
    """Take a published item out of every feed; approving it later publishes it again."""
    return _item_decide(
        item=item,
        by=by,
        decision=HIDE,
        reason_code=reason_code,
        note=note,
        step=lambda i, why: content_hide(item=i, reason=why),
    )


# Comments


def _comment_decide(
    *, comment: Comment, by: User, decision: Decision, reason_code: str, note: str, status: str, reason: str
) -> Comment:
    code, note = _checked(decision, reason_code, note)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        case = _open_case(by=by, comment=comment)
        if locked.moderation_reason == COMMENT_REMOVED:
            raise ApplicationError(f"{locked} was removed: it stays removed.", code="invalid_transition")
        was = locked.status
        done = comment_set_status(comment=locked, status=status, reason=reason)
        reports = _settle(case=case, by=by, decision=decision, reports=Report.objects.filter(comment=comment))
        _record(
            by=by,
            decision=decision,
            target=done,
            case=case,
            code=code,
            note=note,
            **{"from": was, "to": done.status, "reports": reports},
        )
    return done


def comment_approve(*, comment: Comment, by: User, reason_code: str = ReasonCode.OK, note: str = "") -> Comment:
    """Show a comment (or keep it shown): its reports are dismissed."""
    return _comment_decide(
        comment=comment,
        by=by,
        decision=APPROVE,
        reason_code=reason_code,
        note=note,
        status=Comment.Status.VISIBLE,
        reason="",
    )


def comment_hide(*, comment: Comment, by: User, reason_code: str, note: str = "") -> Comment:
    """Hide a comment; its ``moderation_reason`` is the reason code. Approving shows it again."""
    return _comment_decide(
        comment=comment,
        by=by,
        decision=HIDE,
        reason_code=reason_code,
        note=note,
        status=Comment.Status.HIDDEN,
        reason=reason_code,
    )


def comment_remove(*, comment: Comment, by: User, reason_code: str, note: str = "") -> Comment:
    """Hide a comment for good (``moderation_reason`` ``removed``): no later decision shows it."""
    return _comment_decide(
        comment=comment,
        by=by,
        decision=REMOVE,
        reason_code=reason_code,
        note=note,
        status=Comment.Status.HIDDEN,
        reason=COMMENT_REMOVED,
    )


# Creator profiles


def creator_approve(*, creator: Creator, by: User, reason_code: str = ReasonCode.OK, note: str = "") -> Creator:
    """Keep a creator's profile as it is and close its open case (refused, ``no_case``, without one)."""
    code, note = _checked(APPROVE, reason_code, note)
    with transaction.atomic():
        case = _open_case(by=by, creator=creator)
        if case is None:
            raise ApplicationError(f"There is no open case about {creator}.", code="no_case")
        _settle(case=case, by=by, decision=APPROVE, reports=Report.objects.none())
        _record(by=by, decision=APPROVE, target=creator, case=case, code=code, note=note)
    return creator


def creator_block(*, creator: Creator, by: User, reason_code: str, note: str = "") -> Creator:
    """Block a creator (``moderation.services.creator_block``, which records the decision and the
    audit row) and close their open case, if any."""
    code, note = _checked(BLOCK, reason_code, note)
    with transaction.atomic():
        case = _open_case(by=by, creator=creator)
        moderation_services.creator_block(creator=creator, by=by, reason=told(code, note), reason_code=code)
        _settle(case=case, by=by, decision=BLOCK, reports=Report.objects.none())
    transaction.on_commit(_after_decision)
    return creator


# Appeals


def appeal_decide(*, appeal: Appeal, by: User, grant: bool, note: str = "") -> Appeal:
    """Grant (the item is published again, ``content_reinstate``) or deny (it stays as it is) a
    creator's open appeal; ``note`` is the answer the creator reads (required to deny).

    Refuses, writing nothing: a decided appeal (``appeal_decided``), the moderator whose decision
    it contests (``not_for_you``), a case someone else holds (``claimed``), a denial without a note
    (``reason_required``), an item that can no longer be reinstated (``invalid_transition``).
    Audited (``APPEAL_GRANT`` / ``APPEAL_DENY``); closes the item's open case.
    """
    decision = GRANT if grant else DENY
    note = note.strip()
    if not grant and not note:
        raise ApplicationError("Tell the creator why the appeal is denied.", code="reason_required")
    if len(note) > NOTE_MAX:
        raise ApplicationError(f"The note is longer than {NOTE_MAX} characters.", code="note_too_long")
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if locked.status != Appeal.Status.OPEN:
            raise ApplicationError("This appeal has already been decided.", code="appeal_decided")
        if locked.contested_by_id is not None and locked.contested_by_id == by.pk:
            raise ApplicationError(
                "This appeal contests your own decision: another moderator must decide it.", code="not_for_you"
            )
        case = _open_case(by=by, item_id=locked.item_id)
        item = ContentItem.objects.get(pk=locked.item_id)
        was = item.status
        if grant:
            item = content_reinstate(item=item)
        locked.status = Appeal.Status.GRANTED if grant else Appeal.Status.DENIED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.response = note
        locked.save(update_fields=["status", "decided_by", "decided_at", "response"])
        reports = _settle(case=case, by=by, decision=decision, reports=Report.objects.filter(item_id=locked.item_id))
        _record(
            by=by,
            decision=decision,
            target=item,
            case=case,
            code=ReasonCode.OK if grant else "",
            note=note,
            **{"appeal": locked.pk, "from": was, "to": item.status, "reports": reports},
        )
    return locked


# Any decision on a case, by name


def offered(case: Case) -> list[Decision]:
    """The decisions the case page offers for ``case`` (its target's workflow decides again)."""
    if case.status != Case.Status.OPEN:
        return []
    if case.why == Case.Why.APPEAL:
        return [GRANT, DENY]
    if case.item is not None:
        status = case.item.status
        allowed = {
            APPROVE: status in (ContentItem.Status.PENDING, ContentItem.Status.HIDDEN),
            REJECT: status == ContentItem.Status.PENDING,
            HIDE: status == ContentItem.Status.PUBLISHED,
            REMOVE: status != ContentItem.Status.REMOVED,
        }
        return [decision for decision, ok in allowed.items() if ok]
    if case.comment is not None:
        return [] if case.comment.moderation_reason == COMMENT_REMOVED else [APPROVE, HIDE, REMOVE]
    return [APPROVE, BLOCK]


def case_decide(*, case: Case, by: User, decision: str, reason_code: str = ReasonCode.OK, note: str = "") -> Case:
    """Take ``decision`` (a ``DECISIONS`` name) on ``case``'s target; returns the case as it is now.

    Refuses (nothing written) a closed case (``case_closed``) and a decision that does not apply to
    the target kind (``not_offered``): an appeal case is granted or denied, an item approved,
    rejected, removed or hidden, a comment approved, hidden or removed, a creator approved or
    blocked.
    """
    chosen = DECISIONS.get(decision)
    case = Case.objects.select_related("item", "comment", "creator").get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        # Its target may have moved on since: a decision is taken on the target's own page.
        raise ApplicationError(f"Case {case.pk} is closed.", code="case_closed")
    services = _services_for(case)
    if chosen is None or chosen.name not in services:
        raise ApplicationError(
            f"“{decision}” is not a decision for {case}.", code="not_offered", extra={"offered": list(services)}
        )
    services[chosen.name](reason_code=reason_code, note=note, by=by)
    case.refresh_from_db()
    return case


def _services_for(case: Case) -> dict[str, Callable[..., object]]:
    if case.why == Case.Why.APPEAL:
        return {
            GRANT.name: partial(_answer, case=case, grant=True),
            DENY.name: partial(_answer, case=case, grant=False),
        }
    if case.item is not None:
        items = ((APPROVE, item_approve), (REJECT, item_reject), (REMOVE, item_remove), (HIDE, item_hide))
        return {decision.name: partial(service, item=case.item) for decision, service in items}
    if case.comment is not None:
        comments = ((APPROVE, comment_approve), (HIDE, comment_hide), (REMOVE, comment_remove))
        return {decision.name: partial(service, comment=case.comment) for decision, service in comments}
    assert case.creator is not None  # a case has exactly one target
    creators = ((APPROVE, creator_approve), (BLOCK, creator_block))
    return {decision.name: partial(service, creator=case.creator) for decision, service in creators}


def _answer(*, case: Case, grant: bool, by: User, note: str, reason_code: str) -> Appeal:
    appeal = Appeal.objects.filter(item_id=case.item_id, status=Appeal.Status.OPEN).first()
    if appeal is None:
        raise ApplicationError(f"{case} has no open appeal.", code="appeal_decided")
    return appeal_decide(appeal=appeal, by=by, grant=grant, note=note)
