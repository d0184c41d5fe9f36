"""Carts, orders and back-in-stock alerts in admin: what shoppers did in the shop; support looks,
nobody edits."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from feedsite.admin import ReadOnlyAdminMixin
from profiles.shop.models import Cart, CartLine, Order, OrderLine, StockAlert


class CartLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CartLine
    fields = ("product", "quantity", "content", "added_at")
    readonly_fields = fields


@admin.register(Cart)
class CartAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("shopper", "lines_count", "updated_at")
    list_select_related = ("shopper__user",)
    search_fields = ("shopper__user__username", "shopper__user__email")
    search_help_text = "Shopper's username or email."
    inlines = (CartLineInline,)
    ordering = ("-updated_at",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cart]:
        return super().get_queryset(request).annotate(lines_total=Count("lines"))

    @admin.display(description="lines", ordering="lines_total")
    def lines_count(self, obj: Cart) -> int:
        return obj.lines_total  # type: ignore[attr-defined]


class OrderLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderLine
    fields = ("product", "title", "unit_price", "quantity", "content")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Orders are records of a (simulated) payment: read only."""

    list_display = ("number", "shopper", "status", "total", "currency", "created_at")
    list_filter = ("status", "currency")
    list_select_related = ("shopper__user",)
    search_fields = ("number__exact", "shopper__user__username", "shopper__user__email")
    search_help_text = "Exact order number, or the shopper's username or email."
    date_hierarchy = "created_at"
    inlines = (OrderLineInline,)
    ordering = ("-pk",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER


class StockAlertStateFilter(admin.SimpleListFilter):
    """Where an alert is: waiting for a restock, due (restocked, no message yet) or notified."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[StockAlert]) -> list[tuple[str, str]]:
        return [("waiting", "Waiting for stock"), ("due", "Due (back in stock)"), ("notified", "Notified")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[StockAlert]) -> QuerySet[StockAlert]:
        match self.value():
            case "waiting":
                return queryset.filter(due_at__isnull=True)
            case "due":
                return queryset.filter(due_at__isnull=False, notified_at__isnull=True)
            case "notified":
                return queryset.filter(notified_at__isnull=False)
        return queryset


@admin.register(StockAlert)
class StockAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Back-in-stock sign-ups, grouped by product: which products shoppers wait for, which alerts
    are due. Read only: shoppers sign up and leave on the product page, restocks mark them due."""

    list_display = ("product", "shopper", "state", "created_at", "due_at", "notified_at")
    list_filter = (StockAlertStateFilter,)
    list_select_related = ("product", "shopper__user")
    search_fields = ("product__title", "=product__id", "shopper__user__username", "shopper__user__email")
    search_help_text = "Product title or exact id, or the shopper's username or email."
    ordering = ("product__title", "product_id", "created_at")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    @admin.display(description="state")
    def state(self, obj: StockAlert) -> str:
        if obj.notified_at is not None:
            return "notified"
        return "due" if obj.due_at is not None else "waiting"
