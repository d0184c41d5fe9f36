"""Admin of content items and their review.

Review decisions go through the workflow services (``content_publish`` and friends), one item at a
time, so that every step is checked and stamped; ``status`` and its timestamps are read-only here.
Items are never deleted from the admin: "Remove" takes them out of the feed and keeps their history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from content.admin.shared import adopt, count_of
from content.admin.uploads import ContentItemAdminForm, store_checked
from content.media.pipeline import media_upload_start
from content.models import ContentItem, ContentProduct
from content.services import (
    TRANSITIONS,
    content_create,
    content_publish,
    content_reject,
    content_remove,
    content_submit,
)
from content.tasks import media_process_enqueue, media_retry
from feedsite.admin import apply_each
from feedsite.errors import ApplicationError

Status = ContentItem.Status
Kind = ContentItem.Kind

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
    "retry_media": ReviewStep("Retry processing", media_retry, Status.PROCESSING, "queued for processing again"),
}


def _take_step(step: ReviewStep, item: ContentItem) -> ContentItem:
    """``step`` on ``item``; an item whose media is processing can only be removed (the pipeline moves it on)."""
    if item.status == Status.PROCESSING and step.to != Status.REMOVED:
        raise ApplicationError("Its media is still processing; it moves on by itself when ready.", code="processing")
    return step.service(item=item)


def _offered(step: ReviewStep, status: str) -> bool:
    return step.to in TRANSITIONS[status] and (status != Status.PROCESSING or step.to == Status.REMOVED)


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
    # New uploads are checked like a creator's; a video or image goes through the media pipeline.
    form = ContentItemAdminForm
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
    review_fields = (
        "status",
        "status_reason",
        "created_at",
        "submitted_at",
        "published_at",
        "rejected_at",
        "removed_at",
        "engagement",
    )
    readonly_fields = ("preview", "decide", *review_fields)

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
        checked = dict(getattr(form, "checked", {}))
        # A video or image of such an item is processed like a creator's upload; the original stays private.
        upload = checked.pop("media") if "media" in checked and obj.kind in (Kind.VIDEO, Kind.IMAGE) else None
        if upload is not None:
            obj.media = ""
        for name, file in checked.items():
            store_checked(obj, name, file)
            if name == "media":
                obj.media_width, obj.media_height = file.width, file.height
        if change:
            # Only the columns the form edits: a review step taken meanwhile is never written over.
            obj.save(update_fields=[f.name for f in obj._meta.concrete_fields if f.name in form.fields])
            return
        # A new item starts where every item starts: a draft made by content_create. Tags and the
        # product inline are saved afterwards by the admin, on the adopted instance.
        with transaction.atomic():
            created = content_create(
                kind=obj.kind,
                source=obj.source,
                creator=obj.creator,
                brand=obj.brand,
                caption=obj.caption,
                external_id=obj.external_id,
                media_name=obj.media.name or "",
                poster_name=obj.poster.name or "",
                media_width=obj.media_width,
                media_height=obj.media_height,
                duration_ms=obj.duration_ms,
            )
            if upload is not None:
                media_upload_start(item=created, files=[upload], intent=ContentItem.Intent.DRAFT)
                media_process_enqueue(created)
        adopt(obj, created)

    def response_change(self, request: HttpRequest, obj: ContentItem) -> HttpResponse:
        """After the form is saved, take the review step whose button was pressed, if any."""
        step = REVIEW_STEPS.get(request.POST.get("_review_step", ""))
        if step is None:
            return super().response_change(request, obj)
        try:
            _take_step(step, obj)
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
        steps = [(name, step.label) for name, step in REVIEW_STEPS.items() if _offered(step, obj.status)]
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

    @admin.action(description=REVIEW_STEPS["retry_media"].label, permissions=["change"])
    def retry_media(self, request: HttpRequest, queryset: QuerySet[ContentItem]) -> None:
        self._take(request, queryset, REVIEW_STEPS["retry_media"])

    @admin.action(description=REVIEW_STEPS["send_to_review"].label, permissions=["change"])
    def send_to_review(self, request: HttpRequest, queryset: QuerySet[ContentItem]) -> None:
        self._take(request, queryset, REVIEW_STEPS["send_to_review"])

    def _take(self, request: HttpRequest, queryset: QuerySet[ContentItem], step: ReviewStep) -> None:
        """Take ``step`` for each item on its own: one refusal neither stops nor undoes the others."""
        apply_each(
            self,
            request,
            queryset.order_by("pk"),
            lambda item: _take_step(step, item),
            done=lambda n: f"{n} item{'s' if n != 1 else ''} {step.done}.",
            refusal=lambda item, refused: f"{item}: {refused.message}",
            rest="items",
        )
