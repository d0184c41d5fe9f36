"""Writes of reports: a shopper's report, the case it raises, and the auto-hide it may trigger."""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from content.models import Comment, ContentItem
from content.services import comment_set_status, content_hide
from feedsite.errors import ApplicationError, NotFound
from moderation.audit import audit_record
from moderation.models import AuditEntry, Case, Report
from moderation.queue.services import case_open
from moderation.reports import selectors
from profiles.models import Shopper

NOTE_MAX = 500
# What the creator is told about an item hidden by reports (``status_reason``).
HIDDEN_BY_REPORTS = "Hidden after reports from shoppers, until a moderator reviews it."
# ``Comment.moderation_reason`` of a comment hidden by reports.
COMMENT_HIDDEN_BY_REPORTS = "reported"


def report_validate(*, reason: str, note: str) -> str:
    """The note, stripped; refuses an unknown reason (``invalid_reason``), a note over ``NOTE_MAX``
    characters (``note_too_long``) and ``other`` without a note (``note_required``: a moderator
    cannot act on "other" alone)."""
    if reason not in Report.Reason.values:
        raise ApplicationError(
            f"Unknown reason {reason!r}.", code="invalid_reason", extra={"reasons": list(Report.Reason.values)}
        )
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(f"A note has at most {NOTE_MAX} characters.", code="note_too_long")
    if reason == Report.Reason.OTHER and not note:
        raise ApplicationError("Say in a note what is wrong.", code="note_required")
    return note


def report_create(
    *,
    shopper: Shopper,
    item: ContentItem | None = None,
    comment: Comment | None = None,
    reason: str,
    note: str = "",
) -> tuple[Report, bool]:
    """``shopper`` reports ``item`` or ``comment`` (exactly one); returns the report and whether it
    is new.

    A shopper's second report of the same target returns the first one (``False``) and changes
    nothing. A new report stores the reporter's trust (``ShopperTrust``, 1.0 without a row), opens
    or raises the target's case (``case_open``, one report more) and is linked to it; when the
    target's open reports from distinct shoppers trusted at least ``MODERATION_TRUSTED_MIN`` reach
    ``MODERATION_AUTO_HIDE_REPORTS`` (0: never), a published item is hidden (``content_hide``) or
    a visible comment hidden, with one ``AUTO_HIDE`` audit entry (actor: the system; data: the
    counted reports and the case).

    Locks the target row for the whole transaction, so concurrent reports are counted one after
    the other and exactly one of them hides. Refuses, writing nothing: a target no longer
    reportable (``NotFound``: an item not published, a hidden comment or one on such an item),
    the shopper's own item or comment (``own_content``), and what ``report_validate`` refuses.
    """
    if (item is None) == (comment is None):
        raise ValueError("A report has exactly one target: an item or a comment.")
    note = report_validate(reason=reason, note=note)
    with transaction.atomic():
        if item is not None:
            item = _locked_item(item)
            target: dict[str, ContentItem | Comment] = {"item": item}
            author_id = item.creator.user_id if item.creator is not None else None
        else:
            assert comment is not None
            comment = _locked_comment(comment)
            target = {"comment": comment}
            author_id = comment.author_id
        if shopper.user_id is not None and shopper.user_id == author_id:
            raise ApplicationError("You cannot report your own post or comment.", code="own_content")
        existing = Report.objects.filter(reporter=shopper, **target).first()
        if existing is not None:
            return existing, False
        case = case_open(item=item, comment=comment, why=Case.Why.REPORTED, reports=1)
        report = Report.objects.create(
            item=item,
            comment=comment,
            reporter=shopper,
            reason=reason,
            note=note,
            trust=selectors.shopper_trust(shopper=shopper),
            case=case,
            at=timezone.now(),
        )
        _hide_if_due(item=item, comment=comment, case=case)
    return report, True


def _locked_item(item: ContentItem) -> ContentItem:
    locked = (
        ContentItem.objects.select_for_update(of=("self",))
        .select_related("creator")
        .filter(pk=item.pk, status=ContentItem.Status.PUBLISHED)
        .first()
    )
    if locked is None:
        raise NotFound("No published post has this id.")
    return locked


def _locked_comment(comment: Comment) -> Comment:
    locked = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("content")
        .filter(pk=comment.pk, status=Comment.Status.VISIBLE)
        .first()
    )
    if locked is None or locked.content.status != ContentItem.Status.PUBLISHED:
        raise NotFound("No visible comment has this id.")
    return locked


def _hide_if_due(*, item: ContentItem | None, comment: Comment | None, case: Case) -> bool:
    """Hide the (locked, still visible) target once enough trusted shoppers reported it."""
    threshold = settings.MODERATION_AUTO_HIDE_REPORTS
    counted = selectors.reports_counting_towards_hide(item=item, comment=comment)
    if threshold < 1 or len(counted) < threshold:
        return False
    reasons = Counter(Report.objects.filter(pk__in=counted).order_by("at", "pk").values_list("reason", flat=True))
    # The reason most reporters gave (the first reported of a tie), shown to the creator and in the log.
    reason_code = max(reasons, key=lambda r: reasons[r])
    if item is not None:
        content_hide(item=item, reason=HIDDEN_BY_REPORTS)
        target: ContentItem | Comment = item
    else:
        assert comment is not None
        comment_set_status(comment=comment, status=Comment.Status.HIDDEN, reason=COMMENT_HIDDEN_BY_REPORTS)
        target = comment
    audit_record(
        actor=None,
        action=AuditEntry.Action.AUTO_HIDE,
        target=target,
        reason_code=reason_code,
        note=f"{len(counted)} reports from trusted shoppers.",
        data={"reports": counted, "case": case.pk},
    )
    return True
