"""Messages in admin: what was sent to whom, and what became of it; support looks, nobody edits."""

from __future__ import annotations

from django.contrib import admin

from feedsite.admin import ReadOnlyAdminMixin
from profiles.messages.models import Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("subject", "kind", "shopper", "created_at", "emailed_at", "opened_at", "clicked_at", "read_at")
    list_filter = ("kind",)
    list_select_related = ("shopper__user",)
    search_fields = ("shopper__user__username", "shopper__user__email")
    search_help_text = "Shopper's username or email."
    readonly_fields = (
        "shopper",
        "kind",
        "subject",
        "body",
        "product",
        "cart",
        "dedupe_key",
        "created_at",
        "emailed_at",
        "opened_at",
        "clicked_at",
        "read_at",
    )
    ordering = ("-created_at",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
