"""Writing a validated dataset: brands and tags through the ORM, the bulk through staging tables.

Rows are loaded into temporary staging tables (PostgreSQL: ``COPY ... FROM STDIN``; SQLite:
``executemany``), then moved by set-based ``INSERT ... SELECT ... WHERE NOT EXISTS`` that resolve
external ids to primary keys with joins. The SQL after staging is the same on both backends.
Everything runs in the caller's transaction (``write_dataset`` requires one).

Why ``NOT EXISTS`` and not ``ON CONFLICT DO NOTHING``: on PostgreSQL the speculative insertion
behind ON CONFLICT made Ciao's interactions insert cost 12-15 s of server CPU and 27 s wall
against 10 s and 11 s (same rows and indexes, measured twice each). Imports take a
transaction-level advisory lock first, so two runs queue instead of racing; anything else
inserting the same key concurrently (unlikely: event ids start with ``ds:``) makes the import
fail whole with an IntegrityError, and a rerun completes it.

What a second run does: an existing product takes the values the file gives (title, brand,
category path, price; stock and active are the shop's and stay); an existing product card is left
as it is (moderation may have removed it), only missing product links and tags are added; events
are recognised by their ``event_id`` and skipped.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from content.models import Brand, ContentItem, ContentProduct, Product, Tag
from profiles.events.models import Interaction, InteractionType
from profiles.importer.reading import ItemRow, ParsedDataset
from profiles.importer.report import Progress
from profiles.importer.staging import EVENTS, ITEM_TAGS, ITEMS, SHOPPERS, STAGINGS, Backend, backend_for, csv_rows
from profiles.importer.values import db_datetime
from profiles.models import Shopper

# Imported products are for sale: the datasets carry no stock, and a product at 0 is hidden from
# shoppers (Product.in_stock). 100 is "plenty" without looking like a sentinel.
DEFAULT_STOCK = 100
# Interaction types that act on a product rather than on the card; they get Interaction.product.
PRODUCT_ACTIONS = (InteractionType.PRODUCT_CLICK, InteractionType.ADD_TO_CART, InteractionType.PURCHASE)
LOOKUP_CHUNK = 500  # slugs per "slug IN (...)" query, far below SQLite's parameter limit

PRODUCT = Product._meta.db_table
CONTENT = ContentItem._meta.db_table
CONTENT_PRODUCT = ContentProduct._meta.db_table
CONTENT_TAGS = ContentItem.tags.through._meta.db_table
SHOPPER = Shopper._meta.db_table
INTERACTION = Interaction._meta.db_table


@dataclass(frozen=True)
class WriteCounts:
    items_imported: int
    items_updated: int
    items_unchanged: int
    brands_created: int
    tags_created: int
    shoppers_created: int
    events_imported: int
    events_already_imported: int


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


def _brands_ensure(items: Iterable[ItemRow]) -> tuple[dict[str, int], int]:
    """Brand id by slug for every brand the items name, creating the missing ones; and how many were."""
    wanted: dict[str, str] = {}
    for item in items:
        if item.brand:
            wanted.setdefault(brand_slug(item.brand), item.brand)
    ids = _ids_by_slug(Brand, wanted)
    missing = [Brand(slug=slug, name=name) for slug, name in wanted.items() if slug not in ids]
    Brand.objects.bulk_create(missing, batch_size=LOOKUP_CHUNK, ignore_conflicts=True)
    ids.update(_ids_by_slug(Brand, (brand.slug for brand in missing)))
    return ids, len(missing)


def _tags_ensure(items: Iterable[ItemRow]) -> tuple[dict[str, int], int]:
    """Tag id by slug for every tag of the items, creating the missing ones parents first.

    A slug that exists already is reused whatever its name or kind, as ``tag_ensure`` does.
    """
    wanted: dict[str, tuple[str, str, str | None, int]] = {}
    for item in items:
        for slug, name, kind, parent in item.tag_slugs():
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


def _changed(column: str) -> str:
    """The file gives ``column`` and the product holds something else (NULL in the file = keep)."""
    return f"(s.{column} IS NOT NULL AND (p.{column} IS NULL OR s.{column} <> p.{column}))"


def write_dataset(*, parsed: ParsedDataset, progress: Progress) -> WriteCounts:
    """Write ``parsed``; must run inside ``transaction.atomic`` (everything or nothing is written)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("write_dataset must run inside transaction.atomic().")
    steps = _steps(parsed)
    progress.start("writing", total=len(steps), unit="step")
    try:
        with connection.cursor() as cursor:
            backend = backend_for(cursor)
            backend.prepare()
            counts: dict[str, int] = {}
            for step in steps:
                step(backend, counts)
                progress.advance(1)
            for staging in STAGINGS:
                backend.drop(staging)
    finally:
        progress.finish()
    return WriteCounts(
        items_imported=counts["items_imported"],
        items_updated=counts["items_updated"],
        items_unchanged=len(parsed.items) - counts["items_imported"] - counts["items_updated"],
        brands_created=counts["brands_created"],
        tags_created=counts["tags_created"],
        shoppers_created=counts["shoppers_created"],
        events_imported=counts["events_imported"],
        events_already_imported=parsed.events_valid - counts["events_imported"],
    )


_Step = Callable[[Backend, dict[str, int]], None]


def _steps(parsed: ParsedDataset) -> list[_Step]:
    """The write, as named steps sharing the backend and a dict of counts (one progress tick each)."""
    items = parsed.items.values()

    def stage(db: Backend, counts: dict[str, int]) -> None:
        brand_ids, counts["brands_created"] = _brands_ensure(items)
        tag_ids, counts["tags_created"] = _tags_ensure(items)
        visitor_id = Shopper._meta.get_field("visitor_id")
        for staging in STAGINGS:
            db.create(staging)
        db.load(ITEMS, csv_rows(_item_rows(items, brand_ids)))
        db.load(ITEM_TAGS, csv_rows(_item_tag_rows(items, tag_ids)))
        db.load(
            SHOPPERS,
            csv_rows((user, visitor_id.get_db_prep_value(uuid.uuid4(), connection)) for user in parsed.user_ids),
        )
        db.load(EVENTS, parsed.events)

    def upsert_products(db: Backend, counts: dict[str, int]) -> None:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        changed = " OR ".join(_changed(column) for column in ("title", "brand_id", "category_path", "price"))
        db.cursor.execute(
            f"""
            UPDATE {PRODUCT} AS p SET
                title = COALESCE(s.title, p.title),
                brand_id = COALESCE(s.brand_id, p.brand_id),
                category_path = COALESCE(s.category_path, p.category_path),
                price = COALESCE(s.price, p.price),
                updated_at = %s
            FROM {db.table(ITEMS)} AS s
            WHERE p.external_id = s.external_id AND ({changed})
            """,
            [now],
        )
        counts["items_updated"] = db.cursor.rowcount
        db.cursor.execute(
            f"""
            INSERT INTO {PRODUCT}
                (external_id, title, brand_id, category_path, price, currency, stock, active, created_at, updated_at)
            SELECT s.external_id, COALESCE(s.title, 'Item ' || s.external_id), s.brand_id,
                COALESCE(s.category_path, ''), s.price, %s, %s, TRUE, %s, %s
            FROM {db.table(ITEMS)} AS s
            WHERE NOT EXISTS (SELECT 1 FROM {PRODUCT} AS p WHERE p.external_id = s.external_id)
            """,
            ["EUR", DEFAULT_STOCK, now, now],
        )
        counts["items_imported"] = db.cursor.rowcount

    def ensure_cards(db: Backend, counts: dict[str, int]) -> None:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        # A new card's staged events are all new too (an event id includes the item), so its
        # engagement is their number.
        db.cursor.execute(
            f"""
            INSERT INTO {CONTENT}
                (external_id, kind, source, brand_id, caption, media, poster, status, created_at, published_at,
                 engagement)
            SELECT s.external_id, %s, %s, p.brand_id, '', '', '', %s, %s, {db.utc("s.published_at")},
                COALESCE(e.n, 0)
            FROM {db.table(ITEMS)} AS s
                JOIN {PRODUCT} AS p ON p.external_id = s.external_id
                LEFT JOIN (SELECT item_id, COUNT(*) AS n FROM {db.table(EVENTS)} GROUP BY item_id) AS e
                    ON e.item_id = s.external_id
            WHERE NOT EXISTS (SELECT 1 FROM {CONTENT} AS c WHERE c.external_id = s.external_id)
            """,
            [ContentItem.Kind.PRODUCT_CARD, ContentItem.Source.BRAND, ContentItem.Status.PUBLISHED, now],
        )
        # A card that shows no product yet gets the item's product; one that shows others is left alone.
        db.cursor.execute(
            f"""
            INSERT INTO {CONTENT_PRODUCT} (content_id, product_id, position)
            SELECT c.id, p.id, 0
            FROM {db.table(ITEMS)} AS s
                JOIN {CONTENT} AS c ON c.external_id = s.external_id
                JOIN {PRODUCT} AS p ON p.external_id = s.external_id
            WHERE NOT EXISTS (SELECT 1 FROM {CONTENT_PRODUCT} AS l WHERE l.content_id = c.id)
            """
        )
        db.cursor.execute(
            f"""
            INSERT INTO {CONTENT_TAGS} (contentitem_id, tag_id)
            SELECT c.id, s.tag_id
            FROM {db.table(ITEM_TAGS)} AS s JOIN {CONTENT} AS c ON c.external_id = s.external_id
            WHERE NOT EXISTS (SELECT 1 FROM {CONTENT_TAGS} AS t WHERE t.contentitem_id = c.id AND t.tag_id = s.tag_id)
            """
        )

    def insert_shoppers(db: Backend, counts: dict[str, int]) -> None:
        db.cursor.execute(
            f"""
            INSERT INTO {SHOPPER} (external_id, visitor_id, personalization, created_at)
            SELECT s.external_id, s.visitor_id, TRUE, %s
            FROM {db.table(SHOPPERS)} AS s
            WHERE NOT EXISTS (SELECT 1 FROM {SHOPPER} AS sh WHERE sh.external_id = s.external_id)
            """,
            [connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        counts["shoppers_created"] = db.cursor.rowcount

    def insert_events(db: Backend, counts: dict[str, int]) -> None:
        # Every staged event's item is in the file, so its product and card exist by now. As a
        # client does, only product actions name the product: a view or rating of a product card
        # is about the card (and 284k foreign-key checks fewer at commit for Ciao's ratings).
        product_types = ", ".join(["%s"] * len(PRODUCT_ACTIONS))
        db.cursor.execute(
            f"""
            INSERT INTO {INTERACTION}
                (event_id, shopper_id, content_id, product_id, type, occurred_at, received_at, session_id,
                 request_id, value, context)
            SELECT s.event_id, sh.id, c.id, CASE WHEN s.type IN ({product_types}) THEN p.id END, s.type,
                {db.utc("s.occurred_at")}, %s, COALESCE(s.session_id, ''), '', s.value, s.context
            FROM {db.table(EVENTS)} AS s
                JOIN {SHOPPER} AS sh ON sh.external_id = s.user_id
                JOIN {CONTENT} AS c ON c.external_id = s.item_id
                JOIN {PRODUCT} AS p ON p.external_id = s.item_id
            WHERE NOT EXISTS (SELECT 1 FROM {INTERACTION} AS i WHERE i.event_id = s.event_id)
            """,
            [*PRODUCT_ACTIONS, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        counts["events_imported"] = db.cursor.rowcount

    def refresh_engagement(db: Backend, counts: dict[str, int]) -> None:
        # Recount the cards that got events (profiles.events.history.engagement_refresh recounts all);
        # only cards that existed before this run can differ, so only they are written.
        db.cursor.execute(
            f"""
            UPDATE {CONTENT} AS c SET engagement = n.n
            FROM (
                SELECT i.content_id, COUNT(*) AS n
                FROM {INTERACTION} AS i
                WHERE i.content_id IN (
                    SELECT c2.id FROM {CONTENT} AS c2
                    WHERE c2.external_id IN (SELECT item_id FROM {db.table(EVENTS)})
                )
                GROUP BY i.content_id
            ) AS n
            WHERE c.id = n.content_id AND c.engagement <> n.n
            """
        )

    def check_foreign_keys(db: Backend, counts: dict[str, int]) -> None:
        db.check_constraints()

    return [
        stage,
        upsert_products,
        ensure_cards,
        insert_shoppers,
        insert_events,
        refresh_engagement,
        check_foreign_keys,
    ]


def _item_rows(items: Iterable[ItemRow], brand_ids: dict[str, int]) -> Iterator[tuple[Any, ...]]:
    for item in items:
        published_at: datetime = item.published_at or timezone.now()
        yield (
            item.external_id,
            item.title,
            brand_ids[brand_slug(item.brand)] if item.brand else None,
            item.category_path,
            item.price,
            db_datetime(published_at),
        )


def _item_tag_rows(items: Iterable[ItemRow], tag_ids: dict[str, int]) -> Iterator[tuple[str, int]]:
    for item in items:
        for tag_id in dict.fromkeys(tag_ids[slug] for slug, *_ in item.tag_slugs()):
            yield item.external_id, tag_id
