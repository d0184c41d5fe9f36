"""Admin over the served-list log: what each feed page showed, and why. Read-only: it is evidence."""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from feedsite.errors import ApplicationError
from profiles.admin import ReadOnlyAdminMixin, exact_uuid
from profiles.models import Shopper
from ranking.models import FeedRequest, MerchTrigger, MixPolicy, MixRule, RankerModel
from ranking.policy import clear_cache as policy_cache_clear
from ranking.preview import preview_page, shopper_named
from ranking.registry import active_ranker, ranker_activate, ranker_rollback
from ranking.selfcheck import SelfCheck
from ranking.treatment import treatment_for

ACTIVATE_PERMISSION = "ranking.activate_model"
PREVIEW_PERMISSION = "ranking.preview_feed"


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
    variant ("experiment/variant", or the default policy's name) is searched for exactly instead;
    the experiments admin lists every experiment's variants.
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


class MixRuleInline(admin.TabularInline):
    model = MixRule
    extra = 1


class MerchTriggerInline(admin.TabularInline):
    model = MerchTrigger
    extra = 0


@admin.register(MixPolicy)
class MixPolicyAdmin(admin.ModelAdmin):
    """Marketers' content mix: quotas, spacing, exploration and merchandising rules."""

    list_display = (
        "name",
        "is_default",
        "window",
        "exploration_share",
        "min_creator_spacing",
        "promoted_daily_impressions",
        "updated_at",
    )
    list_filter = ("is_default",)
    search_fields = ("name",)
    inlines = (MixRuleInline, MerchTriggerInline)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        policy_cache_clear()  # this process sees the change at once; others within POLICY_CACHE_SECONDS


@admin.action(description="Activate the selected model", permissions=["activate"])
def activate_model(modeladmin: Any, request: HttpRequest, queryset: QuerySet[RankerModel]) -> None:
    if queryset.count() != 1:
        modeladmin.message_user(request, "Select exactly one model to activate.", level=messages.ERROR)
        return
    model = ranker_activate(model=queryset.get())
    modeladmin.message_user(request, f"Model {model.version} is now active.")


@admin.action(description="Roll back to the previously active model", permissions=["activate"])
def rollback_model(modeladmin: Any, request: HttpRequest, queryset: QuerySet[RankerModel]) -> None:
    try:
        model = ranker_rollback()
    except ApplicationError as refused:
        modeladmin.message_user(request, refused.message, level=messages.ERROR)
        return
    modeladmin.message_user(request, f"Rolled back: model {model.version} is active again.")


@admin.register(RankerModel)
class RankerModelAdmin(admin.ModelAdmin):
    """The model registry, and "preview the feed as this shopper" with the ranker's reasons."""

    list_display = (
        "version",
        "status",
        "validation_ndcg",
        "self_check",
        "examples",
        "training_seconds",
        "created_at",
        "activated_at",
    )
    list_filter = ("status",)
    readonly_fields = [f.name for f in RankerModel._meta.fields]
    actions = (activate_model, rollback_model)
    change_list_template = "admin/ranking/rankermodel/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # models come from train_ranker

    def has_activate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(ACTIVATE_PERMISSION)

    def has_preview_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PREVIEW_PERMISSION)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # The link to the preview is offered to those who may open it.
        context = {"can_preview": self.has_preview_permission(request), **(extra_context or {})}
        return super().changelist_view(request, context)

    @admin.display(description="validation NDCG@20")
    def validation_ndcg(self, obj: RankerModel) -> str:
        value = obj.metrics.get("ndcg@20")
        return "–" if value is None else f"{value:.4f}"

    @admin.display(description="self-check: margin over the best reference")
    def self_check(self, obj: RankerModel) -> str:
        check = SelfCheck.from_metrics(obj.metrics)
        if check is None:
            return "–"
        return f"{100 * check.margin:+.1f}% over {check.best_reference[0]} ({check.ranker:.4f})"

    def get_urls(self) -> list[Any]:
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("preview/", preview, name="ranking_preview"), *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The first feed page a shopper would get now, with source, rule, score and top features;
        403 without ``ranking.preview_feed`` (it shows what one shopper is shown)."""
        if not self.has_preview_permission(request):
            raise PermissionDenied
        raw = request.GET.get("shopper", "").strip()
        shopper = shopper_named(raw)
        # The shopper's own treatment: their experiment variants', when experiments run.
        preview = preview_page(shopper, treatment_for(shopper)) if shopper is not None else None
        context = {
            **self.admin_site.each_context(request),
            "title": "Preview the feed as a shopper",
            "query": raw,
            "shopper": shopper,
            "ranker": active_ranker(),
            "preview": preview,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/ranking/preview.html", context)
