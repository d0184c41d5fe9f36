"""Reads of reports: what a shopper may report, and which reports count towards auto-hide."""

from __future__ import annotations

from django.conf import settings
from django.db.models.functions import Coalesce

from content import selectors as content_selectors
from content.models import Comment, ContentItem
from moderation.models import Report, ShopperTrust
from profiles.models import Shopper

# Trust of a shopper without a ``ShopperTrust`` row: fully trusted.
FULL_TRUST = 1.0


def reportable_item(*, item_id: int) -> ContentItem | None:
    """The item a shopper may report: one that is served (``content.selectors.published``)."""
    return content_selectors.published().select_related("creator").filter(pk=item_id).first()


def reportable_comment(*, comment_id: int) -> Comment | None:
    """The comment a shopper may report: a visible one on a served item."""
    served = content_selectors.published().values("pk")
    return (
        Comment.objects.select_related("content__creator")
        .filter(pk=comment_id, status=Comment.Status.VISIBLE, content_id__in=served)
        .first()
    )


def shopper_trust(*, shopper: Shopper) -> float:
    """``ShopperTrust.trust`` of ``shopper`` (the override when a moderator set one), 1.0 without a row."""
    found = ShopperTrust.objects.filter(shopper=shopper).values_list("trust", flat=True).first()
    return FULL_TRUST if found is None else found


def reports_counting_towards_hide(*, item: ContentItem | None = None, comment: Comment | None = None) -> list[int]:
    """The ids of the target's open reports that count towards auto-hide, oldest first: made by a
    shopper trusted at least ``MODERATION_TRUSTED_MIN`` at the time, one per person (a visitor
    later merged into an account is that account, so one person signing in cannot report twice)."""
    reports = Report.objects.filter(item=item) if item is not None else Report.objects.filter(comment=comment)
    rows = (
        reports.filter(status=Report.Status.OPEN, trust__gte=settings.MODERATION_TRUSTED_MIN)
        .annotate(person=Coalesce("reporter__merged_into_id", "reporter_id"))
        .order_by("at", "pk")
        .values_list("pk", "person")
    )
    counted: list[int] = []
    people: set[int] = set()
    for report_id, person in rows:
        if person not in people:
            people.add(person)
            counted.append(report_id)
    return counted
