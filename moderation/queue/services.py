"""Writes to the review queue: opening (or raising) a case, claiming, deciding."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from content.models import Comment, ContentItem, Creator
from moderation.models import Case


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
