"""The review queue: one open case per thing that needs a moderator (a held submission, reports, an
appeal), shoppers' reports, and creators' appeals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from content.models import Comment, ContentItem, Creator
from moderation.models.audit import ReasonCode

_ONE_TARGET = (
    Q(item__isnull=False, comment__isnull=True, creator__isnull=True)
    | Q(item__isnull=True, comment__isnull=False, creator__isnull=True)
    | Q(item__isnull=True, comment__isnull=True, creator__isnull=False)
)


class Case(models.Model):
    """Something a moderator must look at: exactly one of item, comment or creator (profile).

    At most one open case per target: a new report or a new hold on the same target raises the
    open case's priority instead of opening another. ``priority`` is kept by the services
    (``risk`` + a weight per report, see ``moderation.queue``); the queue orders by it, then age.
    A claimed case belongs to ``claimed_by`` until ``claimed_until``; ``not_for`` is a moderator who
    may not take it (the one whose decision an appeal contests).
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Why(models.TextChoices):
        HELD = "held", "Held by an automatic check"
        REPORTED = "reported", "Reported by shoppers"
        APPEAL = "appeal", "Appeal"
        REVIEW = "review", "Waiting for review"

    item = models.ForeignKey(ContentItem, null=True, blank=True, on_delete=models.CASCADE, related_name="cases")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="cases")
    creator = models.ForeignKey(Creator, null=True, blank=True, on_delete=models.CASCADE, related_name="cases")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    why = models.CharField(max_length=8, choices=Why.choices)
    risk = models.FloatField(default=0.0)
    reports = models.PositiveIntegerField(default=0)
    priority = models.FloatField(default=0.0)
    opened_at = models.DateTimeField()
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    not_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The decision that closed it (an ``AuditEntry.Action``).
    outcome = models.CharField(max_length=24, blank=True)

    class Meta:
        ordering = ["-priority", "opened_at", "pk"]
        indexes = [models.Index(fields=["status", "-priority", "opened_at"], name="case_queue_idx")]
        constraints = [
            models.CheckConstraint(condition=_ONE_TARGET, name="case_one_target"),
            models.UniqueConstraint(fields=["item"], condition=Q(status="open"), name="case_open_item_once"),
            models.UniqueConstraint(fields=["comment"], condition=Q(status="open"), name="case_open_comment_once"),
            models.UniqueConstraint(fields=["creator"], condition=Q(status="open"), name="case_open_creator_once"),
        ]
        permissions = [("review_case", "Can claim cases and decide them")]

    def __str__(self) -> str:
        target = (
            f"item #{self.item_id}"
            if self.item_id
            else f"comment #{self.comment_id}"
            if self.comment_id
            else f"creator #{self.creator_id}"
        )
        return f"case {self.pk} ({target})"


class Report(models.Model):
    """A shopper's report of an item or a comment (one per shopper and target)."""

    class Reason(models.TextChoices):
        SPAM = ReasonCode.SPAM.value, ReasonCode.SPAM.label
        OFFENSIVE = ReasonCode.OFFENSIVE.value, ReasonCode.OFFENSIVE.label
        COUNTERFEIT = ReasonCode.COUNTERFEIT.value, ReasonCode.COUNTERFEIT.label
        MISLEADING = ReasonCode.MISLEADING.value, ReasonCode.MISLEADING.label
        OTHER = ReasonCode.OTHER.value, ReasonCode.OTHER.label

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld"
        DISMISSED = "dismissed", "Dismissed"

    item = models.ForeignKey(ContentItem, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey("profiles.Shopper", on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    # The reporter's trust when they reported (only trusted reports count towards auto-hide).
    trust = models.FloatField(default=1.0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="report_rows")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False, comment__isnull=True) | Q(item__isnull=True, comment__isnull=False),
                name="report_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "item"], condition=Q(item__isnull=False), name="report_item_once"
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"], condition=Q(comment__isnull=False), name="report_comment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} report {self.pk}"


class Appeal(models.Model):
    """A creator's one appeal against a rejection or removal of their item; decided by a moderator
    other than ``contested_by`` (who took the contested decision)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        GRANTED = "granted", "Granted"
        DENIED = "denied", "Denied"

    item = models.OneToOneField(ContentItem, on_delete=models.CASCADE, related_name="appeal")
    message = models.TextField(max_length=1000)
    # The item's status when appealed (rejected or removed) and who decided it (null: the system).
    contested_status = models.CharField(max_length=16)
    contested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals")
    at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"appeal on item #{self.item_id}"
