"""Admin of who makes and sells what: brands, creators and products (tags: ``content.admin.tags``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from content.admin.shared import adopt, count_of
from content.models import Brand, ContentItem, Creator, Product
from content.services import product_upsert

Status = ContentItem.Status


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "product_count", "published_count", "created_at")
    search_fields = ("name", "slug", "merchants__username")
    # The accounts that may sync this brand's catalog (``manage.py merchant_token USERNAME`` gives their token).
    filter_horizontal = ("merchants",)
    list_filter = (("merchants", admin.RelatedOnlyFieldListFilter),)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Brand]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                product_count=count_of(Brand, "products"),
                published_count=count_of(Brand, "items", status=Status.PUBLISHED),
            )
        )

    @admin.display(description="products", ordering="product_count")
    def product_count(self, obj: Any) -> int:
        return int(obj.product_count)

    @admin.display(description="published items", ordering="published_count")
    def published_count(self, obj: Any) -> int:
        return int(obj.published_count)


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "display_name",
        "kind",
        "brand",
        "verified",
        "published_count",
        "follower_count",
        "created_at",
    )
    list_filter = ("kind", "verified")
    list_select_related = ("brand",)
    search_fields = ("handle", "display_name", "user__email")
    autocomplete_fields = ("user", "brand")
    readonly_fields = ("created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Creator]:
        # Followers are counted through the reverse relation profiles declares: content never imports profiles.
        return (
            super()
            .get_queryset(request)
            .annotate(
                published_count=count_of(Creator, "items", status=Status.PUBLISHED),
                follower_count=count_of(Creator, "followers"),
            )
        )

    @admin.display(description="published items", ordering="published_count")
    def published_count(self, obj: Any) -> int:
        return int(obj.published_count)

    @admin.display(description="followers", ordering="follower_count")
    def follower_count(self, obj: Any) -> int:
        return int(obj.follower_count)


class StockFilter(admin.SimpleListFilter):
    """By stock alone; whether the product is sold at all is the "active" filter."""

    title = "stock"
    parameter_name = "stock_state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("in", "In stock"), ("out", "Out of stock")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "in":
            return queryset.filter(stock__gt=0)
        if self.value() == "out":
            return queryset.filter(stock=0)
        return queryset


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Every save goes through ``product_upsert``, the same path as the catalog sync."""

    list_display = (
        "title",
        "external_id",
        "brand",
        "price",
        "compare_at_price",
        "currency",
        "stock",
        "active",
        "updated_at",
    )
    list_editable = ("stock", "active")
    list_filter = ("active", StockFilter, "currency", "brand")
    list_select_related = ("brand",)
    search_fields = ("title", "external_id", "brand__name")
    autocomplete_fields = ("brand",)
    readonly_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> tuple[str, ...]:
        # The merchant's id is the key the catalog sync upserts by: changing it would fork the product.
        return (*self.readonly_fields, "external_id") if obj else tuple(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Product, form: ModelForm, change: bool) -> None:
        stored = product_upsert(
            external_id=obj.external_id,
            title=obj.title,
            brand=obj.brand,
            category_path=obj.category_path,
            price=obj.price,
            currency=obj.currency,
            stock=obj.stock,
            active=obj.active,
            compare_at_price=obj.compare_at_price,
            promotion_label=obj.promotion_label,
            promotion_ends_at=obj.promotion_ends_at,
        )
        adopt(obj, stored)
