"""What the studio API reads and answers. Parsing only: the rules are the services'."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from content.models import ContentItem, Creator, Product, Tag
from content.studio.selectors import NO_STATE, status_reason
from content.studio.services import PostFields


def _split(values: list[str]) -> list[str]:
    """``["a, b", "c"]`` → ``["a", "b", "c"]``: a multipart form repeats a field or joins it with commas."""
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


class StudioPostInputSerializer(serializers.Serializer):
    """The fields of a post, from multipart or JSON; ``fields()`` hands them to the services."""

    caption = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=10_000)
    tags = serializers.ListField(child=serializers.CharField(max_length=1000), required=False, max_length=50)
    products = serializers.ListField(child=serializers.CharField(max_length=1000), required=False, max_length=50)
    intent = serializers.ChoiceField(choices=ContentItem.Intent.choices, required=False)
    publish_at = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="ISO 8601 with its offset; empty: not scheduled"
    )

    def validate_products(self, value: list[str]) -> list[int]:
        ids = _split(value)
        bad = [raw for raw in ids if not raw.isdigit() or len(raw) > 18]
        if bad:
            raise serializers.ValidationError(f"Product ids are numbers: {', '.join(bad[:5])}.")
        return [int(raw) for raw in ids]

    def validate_tags(self, value: list[str]) -> list[str]:
        return _split(value)

    def validate_publish_at(self, value: str | None) -> datetime | None:
        if not value:
            return None
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise serializers.ValidationError("Not an ISO 8601 date and time (2026-12-24T18:00:00+01:00).")
        return parsed

    def fields_changed(self) -> set[str]:
        names = {"products": "product_ids"}
        return {names.get(name, name) for name in self.validated_data}

    def post_fields(self) -> PostFields:
        data = self.validated_data
        return PostFields(
            caption=data.get("caption", ""),
            tags=data.get("tags", []),
            product_ids=data.get("products", []),
            intent=data.get("intent", ContentItem.Intent.PUBLISH),
            publish_at=data.get("publish_at"),
        )


class StudioUploadInputSerializer(StudioPostInputSerializer):
    media = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), help_text="one video, or 1 to 10 images"
    )


class StudioCreatorInputSerializer(serializers.Serializer):
    handle = serializers.CharField(max_length=100)
    display_name = serializers.CharField(max_length=1000)
    bio = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    avatar = serializers.FileField(required=False, allow_empty_file=True)


def creator_json(creator: Creator) -> dict[str, Any]:
    return {
        "id": creator.pk,
        "handle": creator.handle,
        "display_name": creator.display_name,
        "bio": creator.bio,
        "avatar": creator.avatar.url if creator.avatar else None,
        "status": creator.status,
        "status_note": creator.status_note,
        "reviewed_at": creator.reviewed_at.isoformat() if creator.reviewed_at else None,
    }


def product_json(product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "title": product.title,
        "brand": product.brand.name if product.brand else None,
        "price": str(product.price) if product.price is not None else None,
        "currency": product.currency,
        "in_stock": product.in_stock,
    }


def tag_json(tag: Tag) -> dict[str, str]:
    return {"slug": tag.slug, "name": tag.name}


def item_json(item: ContentItem, state: dict[str, Any] | None = None) -> dict[str, Any]:
    """A creator's own post, from ``selectors.studio_item(s)`` (prefetched), with what
    ``selectors.studio_states`` says about it (``decision``, ``appeal``, ``can_appeal``)."""
    state = state or NO_STATE
    return {
        "id": item.pk,
        "status": item.status,
        "reason": status_reason(item),
        "decision": state["decision"],
        "appeal": state["appeal"],
        "can_appeal": state["can_appeal"],
        "kind": item.kind,
        "intent": item.intent,
        "caption": item.caption,
        "tags": [tag_json(tag) for tag in item.tags.all()],
        "products": [product_json(link.product) for link in item.product_links.all()],
        "publish_at": item.publish_at.isoformat() if item.publish_at else None,
        "media": [
            {
                "url": media.file.url if media.file else None,
                "poster": media.poster.url if media.poster else None,
                "width": media.width,
                "height": media.height,
                "duration_ms": media.duration_ms,
                "type": media.file_type or None,
            }
            for media in item.media_files.all()
        ],
        "created_at": item.created_at.isoformat(),
        "published_at": item.published_at.isoformat() if item.published_at else None,
    }


# ---- documentation of the answers (drf-spectacular) ---------------------------------------------


class StudioCreatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    handle = serializers.CharField()
    display_name = serializers.CharField()
    bio = serializers.CharField(allow_blank=True)
    avatar = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=Creator.Status.choices)
    status_note = serializers.CharField(allow_blank=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)


class StudioProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    brand = serializers.CharField(allow_null=True)
    price = serializers.CharField(allow_null=True)
    currency = serializers.CharField()
    in_stock = serializers.BooleanField()


class StudioTagSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class StudioMediaSerializer(serializers.Serializer):
    url = serializers.CharField(allow_null=True, help_text="null until processed")
    poster = serializers.CharField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    type = serializers.CharField(allow_null=True)


class StudioDecisionSerializer(serializers.Serializer):
    """The moderation decision behind a rejected, hidden or removed post."""

    reason_code = serializers.CharField(allow_blank=True, help_text="spam, offensive, counterfeit…")
    reason_label = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True, help_text="the moderator's words to the creator")
    at = serializers.DateTimeField()


class StudioAppealSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", "granted", "denied"])
    at = serializers.DateTimeField()
    response = serializers.CharField(allow_blank=True, help_text="the deciding moderator's answer")


class StudioItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=ContentItem.Status.choices, help_text="`removed`: by a moderator (a post you deleted is not listed)"
    )
    reason = serializers.CharField(allow_blank=True)
    decision = StudioDecisionSerializer(allow_null=True)
    appeal = StudioAppealSerializer(allow_null=True, help_text="your one appeal of this post, once made")
    can_appeal = serializers.BooleanField(help_text="POST /api/v1/studio/items/<id>/appeal would be accepted")
    kind = serializers.ChoiceField(choices=ContentItem.Kind.choices)
    intent = serializers.ChoiceField(choices=ContentItem.Intent.choices)
    caption = serializers.CharField(allow_blank=True)
    tags = StudioTagSerializer(many=True)
    products = StudioProductSerializer(many=True)
    publish_at = serializers.DateTimeField(allow_null=True)
    media = StudioMediaSerializer(many=True)
    created_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)


class StudioItemsPageSerializer(serializers.Serializer):
    items = StudioItemSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True, help_text="pass it as `cursor` for the next page")


class StudioCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ContentItem.Status.choices)
