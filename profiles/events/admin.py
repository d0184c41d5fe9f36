"""The event log in admin: a window, since this history is evidence; nobody adds, edits or deletes."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from feedsite.admin import ReadOnlyAdminMixin
from profiles.events.models import Interaction
from profiles.models import Shopper


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The event log (hundreds of thousands of rows): every default here is chosen to stay on an index."""

    list_display = ("event_id", "type", "shopper", "content", "product", "occurred_at", "position", "dwell_ms")
    list_filter = ("type",)
    list_select_related = ("shopper__user", "content", "product")
    date_hierarchy = "occurred_at"
    # Exact matches only, each answered by an index (see get_search_results); a LIKE scans every row.
    search_fields = ("event_id__exact", "shopper__external_id__exact")
    search_help_text = "Exact event id, or a shopper's exact dataset id."
    raw_id_fields = ("shopper", "content", "product")
    # Newest received first, along the primary key; the one other sort offered has its own index.
    ordering = ("-pk",)
    sortable_by = ("occurred_at",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request: HttpRequest) -> QuerySet[Interaction]:
        return super().get_queryset(request).defer("context")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Interaction], search_term: str
    ) -> tuple[QuerySet[Interaction], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        # The shopper is looked up first, so the database can OR two index scans instead of joining
        # the whole log to the shoppers.
        shoppers = list(Shopper.objects.filter(external_id=term).values_list("pk", flat=True))
        return queryset.filter(Q(event_id=term) | Q(shopper_id__in=shoppers)), False
