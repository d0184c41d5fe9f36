"""Admin of who makes and sells what: brands, creators and products (tags: ``content.admin.tags``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from content.admin.shared import adopt, count_of
from content.admin.uploads import CreatorAdminForm, store_checked
from content.catalog.services import merchant_role_sync
from content.models import Brand, ContentItem, Creator, Product
from content.services import product_upsert
from content.studio.services import creator_review, creator_role_sync

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

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The merchants role follows the brands' merchant lists: the accounts added and removed move.
        before = set(form.instance.merchants.all()) if change else set()
        super().save_related(request, form, formsets, change)
        merchant_role_sync(users=before ^ set(form.instance.merchants.all()))

    def delete_model(self, request: HttpRequest, obj: Brand) -> None:
        merchants = list(obj.merchants.all())
        super().delete_model(request, obj)
        merchant_role_sync(users=merchants)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Brand]) -> None:
        merchants = list(User.objects.filter(merchant_brands__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        merchant_role_sync(users=merchants)

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


class CreatorActionForm(ActionForm):
    note = forms.CharField(
        required=False, max_length=300, label="Note to the applicant", help_text="Shown when declining."
    )


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    """Studio applications are reviewed with the approve / decline actions (through ``creator_review``)."""

    list_display = (
        "__str__",
        "display_name",
        "kind",
        "status",
        "brand",
        "verified",
        "published_count",
        "follower_count",
        "created_at",
    )
    list_filter = ("status", "kind", "verified")
    list_select_related = ("brand",)
    search_fields = ("handle", "display_name", "user__email")
    autocomplete_fields = ("user", "brand")
    readonly_fields = ("created_at", "status", "status_note", "reviewed_at")
    form = CreatorAdminForm
    action_form = CreatorActionForm
    actions = ("approve", "decline")

    def save_model(self, request: HttpRequest, obj: Creator, form: ModelForm, change: bool) -> None:
        # The avatar as the checks re-encoded it (no metadata), under a name from its real type.
        for name, checked in getattr(form, "checked", {}).items():
            store_checked(obj, name, checked)
        previous = Creator.objects.filter(pk=obj.pk).values_list("user", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        # The creators role follows the account: a creator moved to another user moves the membership.
        for user in User.objects.filter(pk__in={previous, obj.user_id} - {None}):
            creator_role_sync(user=user)

    def has_review_creator_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("content.review_creator")

    @admin.action(description="Approve the selected creators", permissions=["review_creator"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Creator]) -> None:
        for creator in queryset:
            creator_review(creator=creator, approve=True, note=request.POST.get("note", ""))
        self.message_user(request, f"Approved {len(queryset)} creator(s).", messages.SUCCESS)

    @admin.action(description="Decline the selected creators (with the note)", permissions=["review_creator"])
    def decline(self, request: HttpRequest, queryset: QuerySet[Creator]) -> None:
        for creator in queryset:
            creator_review(creator=creator, approve=False, note=request.POST.get("note", ""))
        self.message_user(request, f"Declined {len(queryset)} creator(s).", messages.SUCCESS)

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
