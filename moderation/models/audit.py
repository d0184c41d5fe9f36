"""The audit log: who did what to which thing, when and why. Rows are only ever added.

Every moderator decision, every automatic outcome that changes what shoppers see, every rule
change, override and classifier activation writes one row through
``moderation.audit.audit_record``. ``AuditEntry.save`` refuses to change a stored row and
``delete`` refuses always; on PostgreSQL a trigger refuses UPDATE and DELETE as well (only the
actor's id may be cleared, when the account is erased; the name stays).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class ReasonCode(models.TextChoices):
    """Why a moderator decided (shown to the creator beside the note); reports use the first five."""

    SPAM = "spam", "Spam"
    OFFENSIVE = "offensive", "Offensive"
    COUNTERFEIT = "counterfeit", "Counterfeit"
    MISLEADING = "misleading", "Misleading"
    OTHER = "other", "Other"
    NUDITY = "nudity", "Nudity or sexual content"
    VIOLENCE = "violence", "Violence or danger"
    COPYRIGHT = "copyright", "Copyright"
    QUALITY = "quality", "Low quality"
    OK = "ok", "Within the rules"


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        # Decisions on items, comments and profiles (moderators, or the system when actor is null).
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"
        REMOVE = "remove", "Remove"
        HIDE = "hide", "Hide"
        RESTORE = "restore", "Restore"
        SCREEN = "screen", "Automatic check"
        AUTO_HIDE = "auto_hide", "Hidden by reports"
        # The queue.
        CLAIM = "claim", "Claim"
        RELEASE = "release", "Release"
        DISMISS_REPORTS = "dismiss_reports", "Dismiss reports"
        APPEAL = "appeal", "Appeal"
        APPEAL_GRANT = "appeal_grant", "Grant appeal"
        APPEAL_DENY = "appeal_deny", "Deny appeal"
        # Creators and shoppers.
        BLOCK = "block", "Block creator"
        UNBLOCK = "unblock", "Unblock creator"
        REPUTATION_OVERRIDE = "reputation_override", "Override reputation"
        TRUST_OVERRIDE = "trust_override", "Override trust"
        # Configuration.
        RULE_CREATE = "rule_create", "Create rule"
        RULE_CHANGE = "rule_change", "Change rule"
        RULE_DELETE = "rule_delete", "Delete rule"
        CLASSIFIER_ACTIVATE = "classifier_activate", "Activate classifier"

    class Target(models.TextChoices):
        ITEM = "item", "Item"
        COMMENT = "comment", "Comment"
        CREATOR = "creator", "Creator"
        SHOPPER = "shopper", "Shopper"
        RULE = "rule", "Rule"
        CLASSIFIER = "classifier", "Classifier"
        CASE = "case", "Case"

    at = models.DateTimeField(db_index=True)
    # Null: the system (an automatic check, the report threshold, a task).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=24, choices=Action.choices)
    target_type = models.CharField(max_length=16, choices=Target.choices)
    target_id = models.BigIntegerField(null=True, blank=True)
    # What the target was called then (it may change or go).
    target_repr = models.CharField(max_length=200)
    reason_code = models.CharField(max_length=16, choices=ReasonCode.choices, blank=True)
    note = models.TextField(blank=True)
    # Anything else worth keeping: scores, a rule's before/after, the case, the item's status change.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id", "-at"], name="audit_target_idx")]
        permissions = [("view_audit_log", "Can read the moderation audit log")]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.target_type} {self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Audit entries are never deleted.")
