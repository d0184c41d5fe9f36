"""Admin for moderators: shoppers' trust, with what it was computed from, and its overrides.

Rows are written by the trust recompute and by the override actions (a value and a reason, through
``moderation.reputation.services``, audited); nothing here adds, edits or deletes one by hand.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from moderation.admin.overrides import Override, lines_html, override_rows
from moderation.models import ShopperTrust
from moderation.reputation.selectors import inputs_of
from moderation.reputation.services import shopper_trust_override
from moderation.reputation.shoppers import breakdown

OVERRIDES = {
    "set": Override(
        "override_trust",
        "Override trust",
        "trust",
        clears=False,
        apply=lambda row, value, by, reason: shopper_trust_override(
            shopper=row.shopper, value=value, by=by, reason=reason
        ),
        rest="shoppers",
    ),
    "clear": Override(
        "clear_trust_overrides",
        "Clear trust override",
        "trust",
        clears=True,
        apply=lambda row, value, by, reason: shopper_trust_override(
            shopper=row.shopper, value=None, by=by, reason=reason
        ),
        rest="shoppers",
    ),
}


class CountsFilter(admin.SimpleListFilter):
    title = "counts"
    parameter_name = "counts"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("less", "Less (trust below the bar)"), ("fully", "Fully")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "less":
            return queryset.filter(trust__lt=settings.MODERATION_LOW_TRUST)
        if self.value() == "fully":
            return queryset.filter(trust__gte=settings.MODERATION_LOW_TRUST)
        return queryset


@admin.register(ShopperTrust)
class ShopperTrustAdmin(admin.ModelAdmin):
    list_display = ("shopper", "trust_shown", "computed_shown", "inputs", "computed_at", "override_by")
    list_filter = (CountsFilter,)
    list_select_related = ("shopper__user", "override_by")
    search_fields = ("=shopper__id", "shopper__user__username", "shopper__user__email")
    search_help_text = "Shopper id, or the user's name or email."
    # Least trusted first: what may need a moderator's eyes.
    ordering = ("trust", "pk")
    actions = ("override_trust", "clear_trust_overrides")
    fields = (
        "shopper",
        "trust_shown",
        "computed_shown",
        "override_reason",
        "override_by",
        "override_at",
        "inputs",
        "formula",
        "computed_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ShopperTrust | None = None) -> bool:
        # The list actions need it; a row's own page is read-only (an override is an action).
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: ShopperTrust | None = None) -> bool:
        return False

    def get_search_fields(self, request: HttpRequest) -> Any:
        # A shopper id is a number: words search the user's fields only.
        if request.GET.get("q", "").strip().isdigit():
            return self.search_fields
        return tuple(field for field in self.search_fields if not field.startswith("="))

    @admin.display(description="trust", ordering="trust")
    def trust_shown(self, obj: ShopperTrust) -> str:
        return f"{obj.trust:.2f}" + (" (overridden)" if obj.override is not None else "")

    @admin.display(description="computed", ordering="computed")
    def computed_shown(self, obj: ShopperTrust) -> str:
        return f"{obj.computed:.2f}"

    @admin.display(description="inputs")
    def inputs(self, obj: ShopperTrust) -> str:
        cv = "–" if obj.gap_cv is None else f"{obj.gap_cv:.2f}"
        return (
            f"{obj.events} events · peak {obj.peak_per_minute}/min · gap variation {cv} · "
            f"{obj.unexposed_actions} of {obj.actions} actions unexposed"
        )

    @admin.display(description="how the trust was computed")
    def formula(self, obj: ShopperTrust) -> str:
        return lines_html(breakdown(inputs_of(obj)))

    @admin.action(description="Override the trust of selected shoppers", permissions=["change"])
    def override_trust(self, request: HttpRequest, queryset: QuerySet[ShopperTrust]) -> HttpResponse | None:
        return override_rows(self, request, queryset.select_related("shopper"), OVERRIDES["set"])

    @admin.action(description="Clear the trust override of selected shoppers", permissions=["change"])
    def clear_trust_overrides(self, request: HttpRequest, queryset: QuerySet[ShopperTrust]) -> HttpResponse | None:
        return override_rows(self, request, queryset.select_related("shopper"), OVERRIDES["clear"])
