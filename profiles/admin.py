"""Admin over shoppers and what they did: mostly a window, since this history is evidence.

Consent records and interactions are logs: nobody adds, edits or deletes them here. Shoppers are
made by sign-in, visits and imports; erasing one belongs to the data-deletion service, not to here.
Interests and follows may be added or dropped for support, through their services.

All of these tables grow with traffic, so their lists never count the whole table
(``show_full_result_count``) nor count each filter choice (``show_facets``), and sort along the
primary key.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join

from content.admin import adopt
from feedsite.admin import ReadOnlyAdminMixin
from profiles.models import ConsentRecord, Follow, Interest, Like, Shopper
from profiles.services import follow_create, follow_delete, interest_add, interest_remove

# A shopper page shows this many of the newest interests and follows; the lists link to the rest.
INLINE_ROWS = 20


class NewestFormSet(BaseInlineFormSet):
    """The ``INLINE_ROWS`` newest rows of the shopper only (the inline is read-only, so never saved)."""

    def get_queryset(self) -> QuerySet[Any]:
        if not hasattr(self, "_newest"):
            self._newest = super().get_queryset().order_by("-created_at", "-pk")[:INLINE_ROWS]
        return self._newest


class InterestInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Interest
    formset = NewestFormSet
    fields = ("tag", "created_at")
    readonly_fields = fields
    verbose_name_plural = f"interests (newest {INLINE_ROWS})"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Interest]:
        return super().get_queryset(request).select_related("tag")


class FollowInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Follow
    formset = NewestFormSet
    fields = ("creator", "created_at")
    readonly_fields = fields
    verbose_name_plural = f"follows (newest {INLINE_ROWS})"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Follow]:
        return super().get_queryset(request).select_related("creator")


class ShopperKindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("signed_in", "Signed in"), ("visitor", "Anonymous visitor"), ("dataset", "Imported (dataset)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "signed_in":
            return queryset.filter(user__isnull=False)
        if self.value() == "visitor":
            return queryset.filter(user__isnull=True, external_id__isnull=True)
        if self.value() == "dataset":
            return queryset.filter(user__isnull=True, external_id__isnull=False)
        return queryset


class OnboardedFilter(admin.SimpleListFilter):
    title = "onboarded"
    parameter_name = "onboarded"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(onboarded_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(onboarded_at__isnull=True)
        return queryset


def exact_uuid(term: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(term.strip())
    except ValueError:
        return None


@admin.register(Shopper)
class ShopperAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "kind",
        "external_id",
        "personalization",
        "onboarded",
        "last_seen_at",
        "created_at",
        "merged_into",
    )
    list_filter = ("personalization", ShopperKindFilter, OnboardedFilter)
    search_fields = ("user__username", "user__email", "external_id__exact")
    search_help_text = "Username or email, exact dataset id, or visitor id."
    ordering = ("-pk",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    fields = (
        "user",
        "visitor_id",
        "external_id",
        "merged_into",
        "personalization",
        "consent_updated_at",
        "onboarded_at",
        "created_at",
        "last_seen_at",
        "history",
    )
    readonly_fields = fields
    inlines = (InterestInline, FollowInline)
    # Privacy's export and erasure join these actions from ``profiles.privacy.admin``; each declares
    # the permission below that it needs (this admin's own delete is off: erasure is the way out).
    actions: tuple[Any, ...] = ()

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("profiles.export_shopper_data")

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("profiles.delete_shopper")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Shopper]:
        # A shopper's label shows its user, here and in the autocompletes of other admins. (The
        # changelist ignores list_select_related once the queryset has a select_related of its own.)
        return super().get_queryset(request).select_related("user", "merged_into__user")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Shopper], search_term: str
    ) -> tuple[QuerySet[Shopper], bool]:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        visitor_id = exact_uuid(search_term)
        if visitor_id is not None:
            found = found | queryset.filter(visitor_id=visitor_id)
        return found, may_have_duplicates

    @admin.display(description="kind")
    def kind(self, obj: Shopper) -> str:
        if obj.user_id:
            return "signed in"
        if obj.external_id:
            return "dataset"
        return "visitor"

    @admin.display(description="onboarded", boolean=True, ordering="onboarded_at")
    def onboarded(self, obj: Shopper) -> bool:
        return obj.onboarded_at is not None

    @admin.display(description="history")
    def history(self, obj: Shopper) -> str:
        query = urlencode({"shopper__id__exact": obj.pk})
        lists = [
            (reverse(f"admin:{model}_changelist"), query, label)
            for model, label in [
                ("events_interaction", "Interactions"),
                ("profiles_consentrecord", "Consent records"),
                ("profiles_interest", "All interests"),
                ("profiles_follow", "All follows"),
            ]
        ]
        return format_html_join(" · ", '<a href="{}?{}">{}</a>', lists)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("shopper", "personalization", "source", "created_at")
    list_filter = ("personalization", "source")
    list_select_related = ("shopper__user",)
    search_fields = ("shopper__user__email", "shopper__external_id__exact")
    search_help_text = "Shopper's email, or exact dataset id."
    ordering = ("-pk",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    """Added and removed through the services; an interest has nothing to change."""

    list_display = ("shopper", "tag", "tag_kind", "created_at")
    list_filter = ("tag__kind",)
    list_select_related = ("shopper__user", "tag")
    search_fields = ("tag__name", "tag__slug", "shopper__user__email", "shopper__external_id__exact")
    autocomplete_fields = ("shopper", "tag")
    ordering = ("-pk",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def has_change_permission(self, request: HttpRequest, obj: Interest | None = None) -> bool:
        return False

    @admin.display(description="tag kind", ordering="tag__kind")
    def tag_kind(self, obj: Interest) -> str:
        return obj.tag.get_kind_display()

    def save_model(self, request: HttpRequest, obj: Interest, form: ModelForm, change: bool) -> None:
        adopt(obj, interest_add(shopper=obj.shopper, tag=obj.tag))

    def delete_model(self, request: HttpRequest, obj: Interest) -> None:
        interest_remove(shopper=obj.shopper, tag=obj.tag)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Interest]) -> None:
        for interest in queryset.select_related("shopper", "tag"):
            interest_remove(shopper=interest.shopper, tag=interest.tag)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    """Added and removed through the services; a follow has nothing to change."""

    list_display = ("shopper", "creator", "created_at")
    list_filter = ("creator__kind", "creator__verified")
    list_select_related = ("shopper__user", "creator")
    search_fields = ("creator__handle", "shopper__user__email", "shopper__external_id__exact")
    autocomplete_fields = ("shopper", "creator")
    ordering = ("-pk",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def has_change_permission(self, request: HttpRequest, obj: Follow | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Follow, form: ModelForm, change: bool) -> None:
        adopt(obj, follow_create(shopper=obj.shopper, creator=obj.creator))

    def delete_model(self, request: HttpRequest, obj: Follow) -> None:
        follow_delete(shopper=obj.shopper, creator=obj.creator)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Follow]) -> None:
        for follow in queryset.select_related("shopper", "creator"):
            follow_delete(shopper=follow.shopper, creator=follow.creator)


# ---- likes: support looks, nobody edits ---------------------------------------------------


@admin.register(Like)
class LikeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("shopper", "content", "created_at")
    list_select_related = ("shopper__user", "content")
    search_fields = ("shopper__user__username", "shopper__user__email")
    search_help_text = "Shopper's username or email."
    raw_id_fields = ("shopper", "content")
    ordering = ("-pk",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
