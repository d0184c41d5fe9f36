"""Reads of the content domain, each owning its joins so the feed path has a fixed query count."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Prefetch, QuerySet

from content.models import ContentItem, ContentProduct


def published() -> QuerySet[ContentItem]:
    return ContentItem.objects.filter(status=ContentItem.Status.PUBLISHED)


def items_for_cards(ids: Sequence[int]) -> list[ContentItem]:
    """Published items with everything a card shows, in the order of ``ids``; 3 queries.

    Items that are no longer published are dropped, so a stale id never reaches a shopper.
    """
    rows = (
        published()
        .filter(pk__in=ids)
        .select_related("creator", "brand")
        .prefetch_related(
            Prefetch("product_links", queryset=ContentProduct.objects.select_related("product").order_by("position")),
            "tags",
        )
    )
    by_id = {item.pk: item for item in rows}
    return [by_id[i] for i in ids if i in by_id]
