"""The audit log in admin: read-only for everyone (rows are only ever added, by the services).

Reading it needs ``moderation.view_audit_log`` (moderators) or ``view_auditentry``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.text import Truncator

from feedsite.admin import ReadOnlyAdminMixin
from moderation.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "at",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "reason_code",
        "short_note",
    )
    list_filter = ("action", "target_type", ("actor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("actor_name", "target_repr", "=target_id")
    search_help_text = "Who (username, or “system”), what the target was called, or its exact id."
    date_hierarchy = "at"
    ordering = ("-at", "-pk")
    show_full_result_count = False
    fields = (
        "at",
        "actor",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "reason_code",
        "note",
        "data",
    )
    readonly_fields = fields
    actions = None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("moderation.view_audit_log") or super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) or super().has_module_permission(request)

    @admin.display(description="note")
    def short_note(self, entry: AuditEntry) -> str:
        return Truncator(entry.note).chars(80)
