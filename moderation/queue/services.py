"""Writes to the review queue: opening (or raising) a case, and claiming one (decisions: ``decisions``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from content.models import Comment, ContentItem, Creator
from feedsite.errors import ApplicationError
from moderation.audit import audit_record
from moderation.models import AuditEntry, Case


def case_priority(*, risk: float, reports: int) -> float:
    """The queue's order (highest first, then oldest): the riskiest check's score plus a weight per
    report (``MODERATION_REPORT_WEIGHT``), so three reports outrank any single automatic hold."""
    return risk + settings.MODERATION_REPORT_WEIGHT * reports


def case_open(
    *,
    item: ContentItem | None = None,
    comment: Comment | None = None,
    creator: Creator | None = None,
    why: str,
    risk: float = 0.0,
    reports: int = 0,
    not_for: User | None = None,
) -> Case:
    """The open case of the target (exactly one of item, comment, creator), opened if there is none;
    an open one keeps the higher risk, adds ``reports`` and is re-prioritized; an appeal (``why``)
    replaces the reason and sets ``not_for``. Safe under concurrency: the partial unique index on
    open cases decides a race, and the loser updates the winner's row."""
    target = {"item": item, "comment": comment, "creator": creator}
    target = {key: value for key, value in target.items() if value is not None}
    if len(target) != 1:
        raise ValueError("A case has exactly one target.")
    for _ in range(2):
        try:
            with transaction.atomic():
                case = Case.objects.select_for_update().filter(status=Case.Status.OPEN, **target).first()
                if case is None:
                    return Case.objects.create(
                        **target,
                        why=why,
                        risk=risk,
                        reports=reports,
                        priority=case_priority(risk=risk, reports=reports),
                        opened_at=timezone.now(),
                        not_for=not_for,
                    )
                case.risk = max(case.risk, risk)
                case.reports += reports
                case.priority = case_priority(risk=case.risk, reports=case.reports)
                fields = ["risk", "reports", "priority"]
                if why == Case.Why.APPEAL or case.why == Case.Why.REVIEW:
                    case.why = why
                    fields.append("why")
                if not_for is not None:
                    case.not_for = not_for
                    fields.append("not_for")
                case.save(update_fields=fields)
                return case
        except IntegrityError:
            continue  # another process opened it between our read and insert: raise theirs
    raise RuntimeError("case_open lost two races in a row")  # pragma: no cover


# Claiming: a case belongs to one moderator at a time.


def claim_refusal(*, case: Case, by: User, now: datetime) -> ApplicationError | None:
    """Why ``by`` may not take ``case`` now (``None``: they may): it is closed, it is someone else's
    unexpired claim, or ``by`` is the moderator an appeal contests (``not_for``)."""
    if case.status != Case.Status.OPEN:
        return ApplicationError(f"Case {case.pk} is closed.", code="case_closed")
    if case.not_for_id is not None and case.not_for_id == by.pk:
        return ApplicationError(
            f"Case {case.pk} contests your own decision: another moderator must review it.", code="not_for_you"
        )
    if held_by_other(case=case, by=by, now=now):
        holder = case.claimed_by.get_username() if case.claimed_by else "another moderator"
        until = timezone.localtime(case.claimed_until).strftime("%H:%M") if case.claimed_until else ""
        return ApplicationError(
            f"Case {case.pk} is being reviewed by {holder} until {until}.",
            code="claimed",
            extra={
                "claimed_by": holder,
                "claimed_until": case.claimed_until.isoformat() if case.claimed_until else None,
            },
        )
    return None


def held_by_other(*, case: Case, by: User, now: datetime) -> bool:
    return (
        case.claimed_by_id is not None
        and case.claimed_by_id != by.pk
        and case.claimed_until is not None
        and case.claimed_until > now
    )


def _hold(*, case: Case, by: User, now: datetime) -> Case:
    """Give ``case`` (locked by the caller) to ``by`` for ``MODERATION_CLAIM_MINUTES`` from ``now``;
    audited when it changes hands, silent when ``by`` renews their own claim."""
    renewal = case.claimed_by_id == by.pk and case.claimed_until is not None and case.claimed_until > now
    case.claimed_by = by
    case.claimed_until = now + timedelta(minutes=settings.MODERATION_CLAIM_MINUTES)
    case.save(update_fields=["claimed_by", "claimed_until"])
    if not renewal:
        audit_record(
            actor=by,
            action=AuditEntry.Action.CLAIM,
            target=case,
            data={"minutes": settings.MODERATION_CLAIM_MINUTES},
        )
    return case


def case_claim(*, case: Case, by: User) -> Case:
    """Give ``case`` to ``by`` for ``MODERATION_CLAIM_MINUTES``; claiming one's own case again renews
    the claim (activity). Refuses (``ApplicationError``, nothing written) a closed case, a case
    someone else holds unexpired (``claimed``), and an appeal to the moderator it contests
    (``not_for_you``). Audited (``CLAIM``) when the case changes hands."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        now = timezone.now()
        if (refused := claim_refusal(case=locked, by=by, now=now)) is not None:
            raise refused
        return _hold(case=locked, by=by, now=now)


def case_release(*, case: Case, by: User) -> Case:
    """Give back a case ``by`` holds (unexpired), so that the next moderator gets it at once. Refuses
    (``not_yours``, nothing written) a case ``by`` does not hold. Audited (``RELEASE``)."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        now = timezone.now()
        if locked.claimed_by_id != by.pk or locked.claimed_until is None or locked.claimed_until <= now:
            raise ApplicationError(f"You do not hold case {case.pk}.", code="not_yours")
        _release(case=locked, by=by)
        return locked


def _release(*, case: Case, by: User) -> None:
    case.claimed_by = None
    case.claimed_until = None
    case.save(update_fields=["claimed_by", "claimed_until"])
    audit_record(actor=by, action=AuditEntry.Action.RELEASE, target=case)


def case_next(*, by: User, skip: Case | None = None) -> Case | None:
    """Claim and return the queue's first case ``by`` may take: open, not held by someone else
    (unexpired), not contesting ``by``'s own decision; highest priority, then oldest. ``None`` when
    there is none. ``skip`` (the case on screen) is released if ``by`` holds it and not offered.

    Two moderators asking at once never get the same case: on PostgreSQL the candidate row is
    locked with ``SKIP LOCKED``, so the second asker passes over a case the first is taking.
    """
    with transaction.atomic():
        now = timezone.now()
        if skip is not None:
            held = Case.objects.select_for_update().get(pk=skip.pk)
            if held.claimed_by_id == by.pk and held.status == Case.Status.OPEN:
                _release(case=held, by=by)
        free = Q(claimed_by__isnull=True) | Q(claimed_until__lte=now) | Q(claimed_by=by)
        candidates = Case.objects.filter(free, status=Case.Status.OPEN).exclude(not_for=by)
        if skip is not None:
            candidates = candidates.exclude(pk=skip.pk)
        case = (
            candidates.select_for_update(skip_locked=True, of=("self",))
            .order_by("-priority", "opened_at", "pk")
            .first()
        )
        return None if case is None else _hold(case=case, by=by, now=now)
