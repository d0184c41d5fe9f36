"""Carts and orders in admin: what shoppers did in the shop; support looks, nobody edits."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from feedsite.admin import ReadOnlyAdminMixin
from profiles.shop.models import Cart, CartLine, Order, OrderLine


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
