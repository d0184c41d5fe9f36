"""Admin over the served-list log: what each feed page showed, and why. Read-only: it is evidence."""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from profiles.admin import ReadOnlyAdminMixin, exact_uuid
from profiles.models import Shopper
from ranking.models import FeedRequest


class PageFilter(admin.SimpleListFilter):
    title = "page"
    parameter_name = "page_kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("first", "First page"), ("later", "Later pages")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "first":
            return queryset.filter(page=0)
        if self.value() == "later":
            return queryset.filter(page__gt=0)
        return queryset


class ServedToFilter(admin.SimpleListFilter):
    title = "served to"
    parameter_name = "served_to"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("signed_in", "Signed-in shopper"), ("visitor", "Anonymous visitor")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "signed_in":
            return queryset.filter(shopper__user__isnull=False)
        if self.value() == "visitor":
            return queryset.filter(shopper__isnull=False, shopper__user__isnull=True)
        return queryset


@admin.register(FeedRequest)
class FeedRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """One row per served page, the largest table of the site.

    There is no variant filter: listing the variants would scan the log on every page view. The
    variant is searched for exactly instead, until experiments have a variant table to list from.
    """

    list_display = ("served_at", "shopper", "page", "item_count", "variant", "feed_session")
    list_filter = (PageFilter, ServedToFilter, ("served_at", admin.DateFieldListFilter))
    list_select_related = ("shopper__user",)
    search_fields = ("variant__exact", "shopper__external_id__exact")
    search_help_text = "Exact request id, feed session, variant, or a shopper's dataset id."
    ordering = ("-served_at",)
    sortable_by = ("served_at",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    fields = ("request_id", "served_at", "shopper", "feed_session", "page", "variant", "cards", "features")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[FeedRequest]:
        # The feature values logged per card are by far the heaviest column; only the detail page shows them.
        return super().get_queryset(request).defer("features")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[FeedRequest], search_term: str
    ) -> tuple[QuerySet[FeedRequest], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        some_uuid = exact_uuid(term)
        if some_uuid is not None:
            return queryset.filter(Q(request_id=some_uuid) | Q(feed_session=some_uuid)), False
        shoppers = list(Shopper.objects.filter(external_id=term).values_list("pk", flat=True))
        return queryset.filter(Q(variant=term) | Q(shopper_id__in=shoppers)), False

    @admin.display(description="items")
    def item_count(self, obj: FeedRequest) -> int:
        return len(obj.items)

    @admin.display(description="cards served")
    def cards(self, obj: FeedRequest) -> str:
        """Each served content id, in order, linked to its admin page, with the reason it was chosen."""
        rows = (
            (reverse("admin:content_contentitem_change", args=[item_id]), item_id, reason)
            for item_id, reason in zip_longest(obj.items, obj.reasons[: len(obj.items)], fillvalue="")
        )
        return format_html("<ol>{}</ol>", format_html_join("", '<li><a href="{}">#{}</a> {}</li>', rows))
