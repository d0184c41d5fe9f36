"""Bulk writes of the catalog for loaders of whole datasets (``profiles.importer``).

Brands and tags go through the ORM in batches. Products, product cards, their links and tags go
through set-based SQL over a relation the caller filled (a temporary staging table or a subquery,
passed by name as ``staged``) with the columns each function lists. Everything runs on the
default connection in the caller's transaction. A row already present is found by its
``external_id`` and left (``NOT EXISTS``; ``profiles.importer.writing`` says why not ``ON CONFLICT``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from content.models import Brand, ContentItem, ContentProduct, Product, Tag
from feedsite.sql import Table

LOOKUP_CHUNK = 500  # slugs per "slug IN (...)" query, far below SQLite's parameter limit
# (slug, name, kind, parent slug or None)
TagRow = tuple[str, str, str, str | None]


@functools.lru_cache(maxsize=1 << 14)
def brand_slug(name: str) -> str:
    # The slug content.services.brand_ensure looks brands up by, so both find the same brand.
    return slugify(name)[:200] or "brand"


def _ids_by_slug(model: type[Model], slugs: Iterable[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    pending = iter(sorted(set(slugs)))
    while chunk := list(islice(pending, LOOKUP_CHUNK)):
        ids.update(model._default_manager.filter(slug__in=chunk).values_list("slug", "pk"))
    return ids


def brands_ensure_bulk(*, names: Iterable[str]) -> tuple[dict[str, int], int]:
    """Brand id by slug (``brand_slug``) for every name, creating the missing brands; and how many were."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(brand_slug(name), name)
    ids = _ids_by_slug(Brand, wanted)
    missing = [Brand(slug=slug, name=name) for slug, name in wanted.items() if slug not in ids]
    Brand.objects.bulk_create(missing, batch_size=LOOKUP_CHUNK, ignore_conflicts=True)
    ids.update(_ids_by_slug(Brand, (brand.slug for brand in missing)))
    return ids, len(missing)


def tags_ensure_bulk(*, tags: Iterable[TagRow]) -> tuple[dict[str, int], int]:
    """Tag id by slug for every tag, creating the missing ones parents first; and how many were.

    A parent must come before its children in ``tags``. A slug that exists already is reused
    whatever its name or kind, as ``content.services.tag_ensure`` does.
    """
    wanted: dict[str, tuple[str, str, str | None, int]] = {}
    for slug, name, kind, parent in tags:
        wanted.setdefault(slug, (name, kind, parent, 0 if parent is None else wanted[parent][3] + 1))
    ids = _ids_by_slug(Tag, wanted)
    created = 0
    for depth in sorted({depth for *_, depth in wanted.values()}):
        missing = [
            Tag(slug=slug, name=name, kind=kind, parent_id=ids[parent] if parent else None)
            for slug, (name, kind, parent, level) in wanted.items()
            if level == depth and slug not in ids
        ]
        Tag.objects.bulk_create(missing, batch_size=LOOKUP_CHUNK, ignore_conflicts=True)
        ids.update(_ids_by_slug(Tag, (tag.slug for tag in missing)))
        created += len(missing)
    return ids, created


def _now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _execute(sql: str, params: list[Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def products_upsert_staged(*, staged: str, currency: str, stock: int) -> tuple[int, int]:
    """Update the products ``staged`` gives other values, then create the missing ones; returns
    (updated, created).

    ``staged`` has ``external_id, title, brand_id, category_path, price``; NULL keeps what the
    product holds (a new one: "Item <external_id>", no brand, no category, no price). A new product
    is ``active`` with ``stock`` in ``currency``; an existing one keeps its stock and active flag.
    """
    p, now = Table(Product), _now()
    given = ("title", "brand_id", "category_path", "price")
    # The staged value is given and differs from the product's.
    changed = " OR ".join(
        f"(s.{c} IS NOT NULL AND (p.{getattr(p, c)} IS NULL OR s.{c} <> p.{getattr(p, c)}))" for c in given
    )
    updated = _execute(
        f"""
        UPDATE {p} AS p SET
            {", ".join(f"{getattr(p, c)} = COALESCE(s.{c}, p.{getattr(p, c)})" for c in given)},
            {p.updated_at} = %s
        FROM {staged} AS s
        WHERE p.{p.external_id} = s.external_id AND ({changed})
        """,
        [now],
    )
    created = _execute(
        f"""
        INSERT INTO {p}
            ({p.external_id}, {p.title}, {p.brand}, {p.category_path}, {p.price}, {p.currency}, {p.stock},
             {p.active}, {p.promotion_label}, {p.created_at}, {p.updated_at})
        SELECT s.external_id, COALESCE(s.title, 'Item ' || s.external_id), s.brand_id,
            COALESCE(s.category_path, ''), s.price, %s, %s, TRUE, '', %s, %s
        FROM {staged} AS s
        WHERE NOT EXISTS (SELECT 1 FROM {p} AS p WHERE p.{p.external_id} = s.external_id)
        """,
        [currency, stock, now, now],
    )
    return updated, created


def product_cards_ensure_staged(*, staged: str, published_at: str, engagement: str) -> None:
    """A published brand product card for each staged item's product that has none, showing that product.

    ``staged`` has ``external_id`` (the product's and the card's); ``published_at`` is the SQL of
    a card's publication time over the staged row ``s``; ``engagement`` is a relation of
    ``external_id, n``, a new card's engagement (0 when absent). A card that exists is left as it
    is, except that one showing no product yet gets its item's product.
    """
    c, p, link = Table(ContentItem), Table(Product), Table(ContentProduct)
    _execute(
        f"""
        INSERT INTO {c}
            ({c.external_id}, {c.kind}, {c.source}, {c.brand}, {c.caption}, {c.media}, {c.poster}, {c.status},
             {c.status_reason}, {c.intent}, {c.created_at}, {c.published_at}, {c.engagement})
        SELECT s.external_id, %s, %s, p.{p.brand}, '', '', '', %s, '', %s, %s, {published_at}, COALESCE(e.n, 0)
        FROM {staged} AS s
            JOIN {p} AS p ON p.{p.external_id} = s.external_id
            LEFT JOIN {engagement} AS e ON e.external_id = s.external_id
        WHERE NOT EXISTS (SELECT 1 FROM {c} AS c WHERE c.{c.external_id} = s.external_id)
        """,
        [
            ContentItem.Kind.PRODUCT_CARD,
            ContentItem.Source.BRAND,
            ContentItem.Status.PUBLISHED,
            ContentItem.Intent.PUBLISH,
            _now(),
        ],
    )
    _execute(
        f"""
        INSERT INTO {link} ({link.content}, {link.product}, {link.position})
        SELECT c.{c.id}, p.{p.id}, 0
        FROM {staged} AS s
            JOIN {c} AS c ON c.{c.external_id} = s.external_id
            JOIN {p} AS p ON p.{p.external_id} = s.external_id
        WHERE NOT EXISTS (SELECT 1 FROM {link} AS l WHERE l.{link.content} = c.{c.id})
        """
    )


def content_tags_add_staged(*, staged: str) -> None:
    """Tag the cards: ``staged`` has ``external_id`` (the card's) and ``tag_id``; present pairs are kept."""
    c, tagged = Table(ContentItem), Table(ContentItem.tags.through)
    _execute(
        f"""
        INSERT INTO {tagged} ({tagged.contentitem}, {tagged.tag})
        SELECT c.{c.id}, s.tag_id
        FROM {staged} AS s JOIN {c} AS c ON c.{c.external_id} = s.external_id
        WHERE NOT EXISTS (
            SELECT 1 FROM {tagged} AS t WHERE t.{tagged.contentitem} = c.{c.id} AND t.{tagged.tag} = s.tag_id
        )
        """
    )


def content_engagement_set_staged(*, counts: str) -> int:
    """Set each card's ``engagement`` to ``n`` of ``counts`` (``content_id, n``); returns the rows changed.

    Only cards whose count differs are written.
    """
    c = Table(ContentItem)
    return _execute(
        f"""
        UPDATE {c} AS c SET {c.engagement} = n.n
        FROM {counts} AS n
        WHERE c.{c.id} = n.content_id AND c.{c.engagement} <> n.n
        """
    )
