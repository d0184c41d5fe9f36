"""Reads of the review queue: its order, and everything a moderator needs to decide one case."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from content.models import Comment, ContentItem, ContentMedia, ContentProduct, Creator
from moderation.models import Appeal, AuditEntry, Case, CreatorStanding, Report, Screening

# Prior decisions shown on a case page, newest first.
HISTORY_SHOWN = 20


def queue() -> QuerySet[Case]:
    """Every case in the queue's order (priority, then age), with what a changelist row shows."""
    return Case.objects.select_related("item", "item__creator", "comment", "creator", "claimed_by").order_by(
        "-priority", "opened_at", "pk"
    )


def open_cases() -> QuerySet[Case]:
    return queue().filter(status=Case.Status.OPEN)


def claimed_by_others(*, by: User) -> Q:
    """Cases someone other than ``by`` holds now (a filter on ``Case``)."""
    return Q(claimed_by__isnull=False, claimed_until__gt=timezone.now()) & ~Q(claimed_by=by)


@dataclass
class CaseReview:
    """One case with its target and the evidence: what the case page shows."""

    case: Case
    item: ContentItem | None = None
    comment: Comment | None = None
    creator: Creator | None = None
    media: list[ContentMedia] = field(default_factory=list)
    products: list[ContentProduct] = field(default_factory=list)
    screening: Screening | None = None
    reports: list[Report] = field(default_factory=list)
    standing: CreatorStanding | None = None
    appeal: Appeal | None = None
    history: list[AuditEntry] = field(default_factory=list)


def case_review(*, case_id: int) -> CaseReview:
    """The case ``case_id`` and its evidence: the item (its media files, products), the comment (and
    the item it is on) or the creator profile; the latest screening of the target; its reports
    (newest first); the creator's standing; the item's appeal; the prior decisions on the target
    (audit log, newest first, at most ``HISTORY_SHOWN``). A fixed number of queries."""
    case = Case.objects.select_related(
        "item", "item__creator", "comment", "comment__author", "comment__content", "creator", "claimed_by", "not_for"
    ).get(pk=case_id)
    review = CaseReview(case=case, item=case.item, comment=case.comment, creator=case.creator)
    target: dict[str, object]
    if case.item is not None:
        target = {"item": case.item}
        review.creator = case.item.creator
        review.media = list(ContentMedia.objects.filter(item=case.item).order_by("position"))
        review.products = list(
            ContentProduct.objects.filter(content=case.item).select_related("product").order_by("position")
        )
        review.appeal = Appeal.objects.filter(item=case.item).select_related("contested_by").first()
        audit_type = AuditEntry.Target.ITEM
    elif case.comment is not None:
        target = {"comment": case.comment}
        audit_type = AuditEntry.Target.COMMENT
    else:
        target = {"creator": case.creator}
        audit_type = AuditEntry.Target.CREATOR
    review.screening = Screening.objects.filter(**target).order_by("-at", "-pk").first()
    if case.creator_id is None:
        review.reports = list(Report.objects.filter(**target).select_related("reporter").order_by("-at", "-pk"))
    if review.creator is not None:
        review.standing = CreatorStanding.objects.filter(creator=review.creator).first()
    target_id = case.item_id or case.comment_id or case.creator_id
    review.history = list(
        AuditEntry.objects.filter(target_type=audit_type, target_id=target_id)
        .exclude(action__in=[AuditEntry.Action.CLAIM, AuditEntry.Action.RELEASE])
        .order_by("-at", "-pk")[:HISTORY_SHOWN]
    )
    return review
