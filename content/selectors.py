"""Reads of the content domain, each owning its joins so the feed path has a fixed query count."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from django.db import connection
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


def published_ids(ids: Collection[int]) -> set[int]:
    """Which of ``ids`` are published items. One query with one parameter on PostgreSQL.

    Event ingestion asks this for every batch; an ``IN`` list of hundreds of placeholders costs
    Django more to compile than the database to answer.
    """
    if not ids:
        return set()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM content_contentitem WHERE id = ANY(%s) AND status = %s",
                [list(ids), ContentItem.Status.PUBLISHED],
            )
            return {row[0] for row in cursor.fetchall()}
    return set(published().filter(pk__in=ids).values_list("pk", flat=True))
