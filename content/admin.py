"""Admin for moderators and marketers: brands, creators, tags, products and the review of content items.

Review decisions go through the workflow services (``content_publish`` and friends), one item at a
time, so that every step is checked and stamped; ``status`` and its timestamps are read-only here.
Items are never deleted from the admin: "Remove" takes them out of the feed and keeps their history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, FileField, ForeignObjectRel, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from content.models import Brand, Comment, ContentItem, ContentProduct, Creator, Product, Tag
from content.services import (
    TRANSITIONS,
    comment_set_status,
    content_create,
    content_publish,
    content_reject,
    content_remove,
    content_submit,
    product_upsert,
)
from feedsite.errors import ApplicationError

Status = ContentItem.Status

# Refusals reported one by one, then summed up: a "select all" over thousands of rows stays readable.
REFUSALS_LISTED = 10
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")


@dataclass(frozen=True)
class ReviewStep:
    label: str
    service: Callable[..., ContentItem]
    to: str
    done: str


# The review decisions offered, as list actions and as buttons on an item's page, in this order.
REVIEW_STEPS = {
    "publish": ReviewStep("Publish", content_publish, Status.PUBLISHED, "published"),
    "reject": ReviewStep("Reject", content_reject, Status.REJECTED, "rejected"),
    "remove": ReviewStep("Remove", content_remove, Status.REMOVED, "removed"),
    "send_to_review": ReviewStep("Send to review", content_submit, Status.PENDING, "sent to review"),
}


def count_of(model: type[Model], relation: str, **where: Any) -> Coalesce:
    """For ``annotate``: how many rows of ``model``'s reverse ``relation`` (filtered by ``where``) each row has.

    Like ``Count(relation, filter=...)``, but as a correlated subquery, evaluated for the rows of the
    page only; ``Count`` over a JOIN aggregates the whole table before the changelist takes its page,
    and two of them multiply each other's rows.
    """
    rel = model._meta.get_field(relation)
    if not isinstance(rel, ForeignObjectRel):
        raise TypeError(f"{model.__name__}.{relation} is not a reverse relation")
    related_model = rel.related_model
    assert not isinstance(related_model, str)  # resolved once the apps are loaded
    via = rel.field.name
    rows = related_model._default_manager.filter(**{via: OuterRef("pk")}, **where)
    return Coalesce(Subquery(rows.order_by().values(via).annotate(n=Count("pk")).values("n")), 0)


def adopt(obj: Model, stored: Model) -> None:
    """Make the admin's unsaved ``obj`` the row a service has just created.

    The admin goes on with its own instance (many-to-many fields, inlines, the log entry, the
    redirect), so it must carry the stored row's primary key and values.
    """
    obj.pk = stored.pk
    obj.refresh_from_db()
    obj._state.adding = False


def store_upload(obj: Model, field_name: str) -> str:
    """Store a file just uploaded into ``obj.<field_name>`` as ``Model.save`` would; its storage name, or ``""``."""
    field = obj._meta.get_field(field_name)
    assert isinstance(field, FileField)
    return field.pre_save(obj, add=True).name or ""


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "product_count", "published_count", "created_at")
    search_fields = ("name", "slug")
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


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "parent")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("name", "slug")
    autocomplete_fields = ("parent",)


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

    list_display = ("title", "external_id", "brand", "price", "currency", "stock", "active", "updated_at")
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
        )
        adopt(obj, stored)


class ContentProductInline(admin.TabularInline):
    model = ContentProduct
    fields = ("position", "product")
    autocomplete_fields = ("product",)
    ordering = ("position",)
    extra = 0
    verbose_name = "product shown"
    verbose_name_plural = "products shown"


def _image_url(item: ContentItem) -> str | None:
    """The poster, else the media file when it is a still image; ``None`` when there is nothing to show."""
    if item.poster:
        return item.poster.url
    if item.media and item.media.name.lower().endswith(IMAGE_SUFFIXES):
        return item.media.url
    return None


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    list_display = (
        "thumbnail",
        "id",
        "caption_excerpt",
        "kind",
        "source",
        "creator",
        "status",
        "published_at",
        "engagement",
        "product_count",
    )
    list_display_links = ("thumbnail", "id")
    list_filter = ("status", "kind", "source")
    list_select_related = ("creator",)
    date_hierarchy = "published_at"
    search_fields = ("caption", "external_id__exact", "creator__handle")
    search_help_text = "Caption, exact external id, or creator handle."
    # Newest first through the primary key: the model's published_at order needs a sort of the table.
    ordering = ("-pk",)
    autocomplete_fields = ("creator", "brand", "tags")
    inlines = (ContentProductInline,)
    actions = tuple(REVIEW_STEPS)

    class Media:
        css = {"all": ["css/admin.css"]}  # no inline styles (Content-Security-Policy)

    # Save comes first in the form, so that Enter in a text field saves instead of pressing the
    # first review button (browsers submit with the first submit button of the form).
    save_on_top = True
    readonly_fields = (
        "preview",
        "decide",
        "status",
        "created_at",
        "submitted_at",
        "published_at",
        "rejected_at",
        "removed_at",
        "engagement",
    )
    review_fields = ("status", "created_at", "submitted_at", "published_at", "rejected_at", "removed_at", "engagement")

    def get_fieldsets(self, request: HttpRequest, obj: ContentItem | None = None) -> Any:
        can_decide = obj is not None and self.has_change_permission(request, obj)
        return (
            (None, {"fields": ("kind", "source", "creator", "brand", "external_id", "caption", "tags")}),
            ("Media", {"fields": ("preview", "media", "poster", "media_width", "media_height", "duration_ms")}),
            (
                "Review",
                {
                    "description": "The status changes only through the review steps, each checked by the workflow.",
                    "fields": (("decide",) if can_decide else ()) + self.review_fields,
                },
            ),
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContentItem]:
        return super().get_queryset(request).annotate(product_count=count_of(ContentItem, "product_links"))

    def has_delete_permission(self, request: HttpRequest, obj: ContentItem | None = None) -> bool:
        # Deleting would also delete the item's interactions (training data): "Remove" is the way out.
        return False

    def save_model(self, request: HttpRequest, obj: ContentItem, form: ModelForm, change: bool) -> None:
        if change:
            # Only the columns the form edits: a review step taken meanwhile is never written over.
            obj.save(update_fields=[f.name for f in obj._meta.concrete_fields if f.name in form.fields])
            return
        # A new item starts where every item starts: a draft made by content_create. Tags and the
        # product inline are saved afterwards by the admin, on the adopted instance.
        created = content_create(
            kind=obj.kind,
            source=obj.source,
            creator=obj.creator,
            brand=obj.brand,
            caption=obj.caption,
            external_id=obj.external_id,
            media_name=store_upload(obj, "media"),
            poster_name=store_upload(obj, "poster"),
            media_width=obj.media_width,
            media_height=obj.media_height,
            duration_ms=obj.duration_ms,
        )
        adopt(obj, created)

    def response_change(self, request: HttpRequest, obj: ContentItem) -> HttpResponse:
        """After the form is saved, take the review step whose button was pressed, if any."""
        step = REVIEW_STEPS.get(request.POST.get("_review_step", ""))
        if step is None:
            return super().response_change(request, obj)
        try:
            step.service(item=obj)
        except ApplicationError as refused:
            self.message_user(request, f"{obj}: {refused.message}", messages.ERROR)
        else:
            self.message_user(request, f"{obj} {step.done}.", messages.SUCCESS)
        return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="")
    def thumbnail(self, obj: ContentItem) -> str:
        url = _image_url(obj)
        if url is None:
            return "—"
        return format_html('<img src="{}" alt="" width="48" height="48" loading="lazy" class="admin-thumbnail">', url)

    @admin.display(description="preview")
    def preview(self, obj: ContentItem) -> str:
        url = _image_url(obj)
        if url is None:
            return "—"
        return format_html('<img src="{}" alt="" class="admin-preview">', url)

    @admin.display(description="caption")
    def caption_excerpt(self, obj: ContentItem) -> str:
        return format_html('<span class="admin-caption">{}</span>', Truncator(obj.caption).chars(80))

    @admin.display(description="products", ordering="product_count")
    def product_count(self, obj: Any) -> int:
        return int(obj.product_count)

    @admin.display(description="next step")
    def decide(self, obj: ContentItem) -> str:
        """A button per step the workflow allows from the item's status (the service checks again)."""
        steps = [(name, step.label) for name, step in REVIEW_STEPS.items() if step.to in TRANSITIONS[obj.status]]
        if not steps:
            return "None: a removed item stays removed."
        return format_html_join(
            " ", '<button type="submit" name="_review_step" value="{}" class="button">{}</button>', steps
        )

    @admin.action(description=REVIEW_STEPS["publish"].label, permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[ContentItem]) -> None:
        self._take(request, queryset, REVIEW_STEPS["publish"])

    @admin.action(description=REVIEW_STEPS["reject"].label, permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[ContentItem]) -> None:
        self._take(request, queryset, REVIEW_STEPS["reject"])

    @admin.action(description=REVIEW_STEPS["remove"].label, permissions=["change"])
    def remove(self, request: HttpRequest, queryset: QuerySet[ContentItem]) -> None:
        self._take(request, queryset, REVIEW_STEPS["remove"])

    @admin.action(description=REVIEW_STEPS["send_to_review"].label, permissions=["change"])
    def send_to_review(self, request: HttpRequest, queryset: QuerySet[ContentItem]) -> None:
        self._take(request, queryset, REVIEW_STEPS["send_to_review"])

    def _take(self, request: HttpRequest, queryset: QuerySet[ContentItem], step: ReviewStep) -> None:
        """Take ``step`` for each item on its own: one refusal neither stops nor undoes the others."""
        moved = 0
        refusals: list[str] = []
        for item in queryset.order_by("pk"):
            try:
                step.service(item=item)
            except ApplicationError as refused:
                refusals.append(f"{item}: {refused.message}")
            else:
                moved += 1
        if moved:
            self.message_user(request, f"{moved} item{'s' if moved != 1 else ''} {step.done}.", messages.SUCCESS)
        for refusal in refusals[:REFUSALS_LISTED]:
            self.message_user(request, refusal, messages.ERROR)
        if len(refusals) > REFUSALS_LISTED:
            self.message_user(
                request, f"{len(refusals) - REFUSALS_LISTED} more items were left unchanged.", messages.ERROR
            )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Moderators hide and show comments through ``comment_set_status``; bodies are never edited."""

    list_display = ("short_body", "author", "content", "status", "moderation_reason", "created_at")
    list_filter = ("status", "moderation_reason")
    list_select_related = ("author", "content")
    search_fields = ("body", "author__username")
    search_help_text = "Words in the comment, or the author's username."
    raw_id_fields = ("content", "author")
    readonly_fields = ("content", "author", "body", "status", "moderation_reason", "created_at")
    ordering = ("-pk",)
    actions = ("hide_comments", "show_comments")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="comment")
    def short_body(self, obj: Comment) -> str:
        return Truncator(obj.body).chars(80)

    @admin.action(description="Hide selected comments", permissions=["change"])
    def hide_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        for comment in queryset:
            comment_set_status(comment=comment, status=Comment.Status.HIDDEN, reason="moderator")
        self.message_user(request, f"Hid {len(queryset)} comment(s).", messages.SUCCESS)

    @admin.action(description="Show selected comments", permissions=["change"])
    def show_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        for comment in queryset:
            comment_set_status(comment=comment, status=Comment.Status.VISIBLE)
        self.message_user(request, f"Showed {len(queryset)} comment(s).", messages.SUCCESS)
