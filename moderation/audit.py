"""Writing the audit log (``AuditEntry``): one function, called by every service that decides."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.utils import timezone

from moderation.models import AuditEntry

SYSTEM = "system"


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: int | None = None,
    reason_code: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry: ``actor`` None (or anonymous) is the system. The target is a model
    instance (its type is named from ``AuditEntry.Target`` by model name: ``contentitem`` is
    ``item``) or given as ``target_type`` + ``target_id``. Runs inside the caller's transaction,
    so a decision and its record commit or roll back together."""
    if target is not None:
        target_type = _TARGET_OF[target._meta.model_name or ""]
        target_id = target.pk
    user = actor if isinstance(actor, User) else None
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=user,
        actor_name=user.get_username() if user else SYSTEM,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=str(target)[:200] if target is not None else f"{target_type} {target_id}",
        reason_code=reason_code,
        note=note,
        data=data or {},
    )


_TARGET_OF = {
    "contentitem": AuditEntry.Target.ITEM,
    "comment": AuditEntry.Target.COMMENT,
    "creator": AuditEntry.Target.CREATOR,
    "shopper": AuditEntry.Target.SHOPPER,
    "rule": AuditEntry.Target.RULE,
    "classifierversion": AuditEntry.Target.CLASSIFIER,
    "case": AuditEntry.Target.CASE,
}
