"""Writes to the rules: every create, change and delete validated and audited with before and after."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from feedsite.errors import ApplicationError
from moderation.audit import audit_record
from moderation.checks.rules import rule_validate
from moderation.models import AuditEntry, Rule

# What a rule is, as the audit log keeps it (who changed it and when are the entry's own).
RULE_FIELDS = [
    "name",
    "kind",
    "parameter",
    "threshold",
    "action",
    "score",
    "on_captions",
    "on_comments",
    "on_profiles",
    "on_media",
    "message",
    "enabled",
]


def rule_snapshot(rule: Rule) -> dict[str, Any]:
    return model_to_dict(rule, fields=RULE_FIELDS)


def rule_save(*, rule: Rule, by: User | None, before: dict[str, Any] | None = None) -> Rule:
    """Store a new or changed rule (``before``: its ``rule_snapshot`` as it was; None for a new one)
    and audit it with before and after. Refuses (``ApplicationError(code="invalid_rule")``, the
    problems per field in ``extra``, nothing stored) a rule that could not run as its kind says."""
    try:
        rule_validate(kind=rule.kind, parameter=rule.parameter, threshold=rule.threshold, score=rule.score)
    except ValidationError as invalid:
        raise ApplicationError(
            "This rule could not run as configured.", code="invalid_rule", extra={"fields": invalid.message_dict}
        ) from invalid
    created = rule.pk is None
    with transaction.atomic():
        rule.updated_by = by
        rule.save()
        after = rule_snapshot(rule)
        audit_record(
            actor=by,
            action=AuditEntry.Action.RULE_CREATE if created else AuditEntry.Action.RULE_CHANGE,
            target=rule,
            data={"before": None if created else before, "after": after},
        )
    return rule


def rule_delete(*, rule: Rule, by: User | None) -> None:
    """Delete a rule, audited with what it was."""
    with transaction.atomic():
        before = rule_snapshot(rule)
        audit_record(
            actor=by, action=AuditEntry.Action.RULE_DELETE, target=rule, data={"before": before, "after": None}
        )
        rule.delete()
