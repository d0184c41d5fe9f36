"""Writing a validated dataset: brands and tags in batches, the bulk through staging tables.

Rows are loaded into temporary staging tables (PostgreSQL: ``COPY ... FROM STDIN``; SQLite:
``executemany``), then moved by set-based ``INSERT ... SELECT ... WHERE NOT EXISTS`` that resolve
external ids to primary keys with joins. The SQL after staging is the same on both backends;
what writes content's tables (brands, tags, products, cards and their links) is content's own
(``content.bulk``), the shoppers and events inserts are written here, and every name in the SQL
comes from the models.
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

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from content import bulk as content_bulk
from content.models import ContentItem, Product
from feedsite.sql import Table
from profiles.events.models import Interaction, InteractionType
from profiles.importer.reading import ItemRow, ParsedDataset
from profiles.importer.report import Progress
from profiles.importer.staging import EVENTS, ITEM_TAGS, ITEMS, SHOPPERS, STAGINGS, Backend, backend_for, csv_rows
from profiles.importer.values import db_datetime
from profiles.models import Shopper

# Imported products are for sale: the datasets carry no stock, and a product at 0 is hidden from
# shoppers (Product.in_stock). 100 is "plenty" without looking like a sentinel.
DEFAULT_STOCK = 100
DEFAULT_CURRENCY = "EUR"
# Interaction types that act on a product rather than on the card; they get Interaction.product.
PRODUCT_ACTIONS = (InteractionType.PRODUCT_CLICK, InteractionType.ADD_TO_CART, InteractionType.PURCHASE)


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


def write_dataset(*, parsed: ParsedDataset, progress: Progress) -> WriteCounts:
    """Write ``parsed``; must run inside ``transaction.atomic`` (everything or nothing is written)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("write_dataset must run inside transaction.atomic().")
    progress.start("writing", total=len(STEPS), unit="step")
    try:
        with connection.cursor() as cursor:
            backend = backend_for(cursor)
            backend.prepare()
            counts: dict[str, int] = {}
            for step in STEPS:
                step(parsed, backend, counts)
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


_Step = Callable[[ParsedDataset, Backend, dict[str, int]], None]


def _stage(parsed: ParsedDataset, db: Backend, counts: dict[str, int]) -> None:
    """Brands and tags created (content's bulk service), then every row loaded into the staging tables."""
    items = parsed.items.values()
    brand_ids, counts["brands_created"] = content_bulk.brands_ensure_bulk(names=(i.brand for i in items if i.brand))
    tag_ids, counts["tags_created"] = content_bulk.tags_ensure_bulk(tags=(t for i in items for t in i.tag_slugs()))
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


def _products_upsert(parsed: ParsedDataset, db: Backend, counts: dict[str, int]) -> None:
    counts["items_updated"], counts["items_imported"] = content_bulk.products_upsert_staged(
        staged=db.table(ITEMS), currency=DEFAULT_CURRENCY, stock=DEFAULT_STOCK
    )


def _cards_ensure(parsed: ParsedDataset, db: Backend, counts: dict[str, int]) -> None:
    # A new card's staged events are all new too (an event id includes the item), so its
    # engagement is their number.
    content_bulk.product_cards_ensure_staged(
        staged=db.table(ITEMS),
        published_at=db.utc("s.published_at"),
        engagement=f"(SELECT item_id AS external_id, COUNT(*) AS n FROM {db.table(EVENTS)} GROUP BY item_id)",
    )
    content_bulk.content_tags_add_staged(staged=db.table(ITEM_TAGS))


def _shoppers_insert(parsed: ParsedDataset, db: Backend, counts: dict[str, int]) -> None:
    # Ids in a fixed order (the staged ids come from a set, a parallel join has none): training
    # samples and breaks ties by id, so the same file must give the same ids (ranking's reproducibility).
    sh = Table(Shopper)
    db.cursor.execute(
        f"""
        INSERT INTO {sh} ({sh.external_id}, {sh.visitor_id}, {sh.personalization}, {sh.created_at})
        SELECT s.external_id, s.visitor_id, TRUE, %s
        FROM {db.table(SHOPPERS)} AS s
        WHERE NOT EXISTS (SELECT 1 FROM {sh} AS sh WHERE sh.{sh.external_id} = s.external_id)
        ORDER BY s.external_id
        """,
        [connection.ops.adapt_datetimefield_value(timezone.now())],
    )
    counts["shoppers_created"] = db.cursor.rowcount


def _events_insert(parsed: ParsedDataset, db: Backend, counts: dict[str, int]) -> None:
    # Every staged event's item is in the file, so its product and card exist by now. As a
    # client does, only product actions name the product: a view or rating of a product card
    # is about the card (and 284k foreign-key checks fewer at commit for Ciao's ratings).
    i, sh, c, p = Table(Interaction), Table(Shopper), Table(ContentItem), Table(Product)
    product_types = ", ".join(["%s"] * len(PRODUCT_ACTIONS))
    db.cursor.execute(
        f"""
        INSERT INTO {i}
            ({i.event_id}, {i.shopper}, {i.content}, {i.product}, {i.type}, {i.occurred_at}, {i.received_at},
             {i.session_id}, {i.request_id}, {i.value}, {i.context})
        SELECT s.event_id, sh.{sh.id}, c.{c.id}, CASE WHEN s.type IN ({product_types}) THEN p.{p.id} END, s.type,
            {db.utc("s.occurred_at")}, %s, COALESCE(s.session_id, ''), '', s.value, s.context
        FROM {db.table(EVENTS)} AS s
            JOIN {sh} AS sh ON sh.{sh.external_id} = s.user_id
            JOIN {c} AS c ON c.{c.external_id} = s.item_id
            JOIN {p} AS p ON p.{p.external_id} = s.item_id
        WHERE NOT EXISTS (SELECT 1 FROM {i} AS i WHERE i.{i.event_id} = s.event_id)
        ORDER BY s.occurred_at, s.event_id
        """,
        [*PRODUCT_ACTIONS, connection.ops.adapt_datetimefield_value(timezone.now())],
    )
    counts["events_imported"] = db.cursor.rowcount


def _engagement_refresh(parsed: ParsedDataset, db: Backend, counts: dict[str, int]) -> None:
    # Recount the cards that got events (profiles.events.history.engagement_refresh recounts all);
    # only cards that existed before this run can differ, and content writes only those.
    i, c = Table(Interaction), Table(ContentItem)
    content_bulk.content_engagement_set_staged(
        counts=f"""(
            SELECT i.{i.content} AS content_id, COUNT(*) AS n
            FROM {i} AS i
            WHERE i.{i.content} IN (
                SELECT c.{c.id} FROM {c} AS c WHERE c.{c.external_id} IN (SELECT item_id FROM {db.table(EVENTS)})
            )
            GROUP BY i.{i.content}
        )"""
    )


def _foreign_keys_check(parsed: ParsedDataset, db: Backend, counts: dict[str, int]) -> None:
    db.check_constraints()


# The write, as named steps sharing the backend and a dict of counts (one progress tick each).
STEPS: tuple[_Step, ...] = (
    _stage,
    _products_upsert,
    _cards_ensure,
    _shoppers_insert,
    _events_insert,
    _engagement_refresh,
    _foreign_keys_check,
)


def _item_rows(items: Iterable[ItemRow], brand_ids: dict[str, int]) -> Iterator[tuple[Any, ...]]:
    for item in items:
        published_at: datetime = item.published_at or timezone.now()
        yield (
            item.external_id,
            item.title,
            brand_ids[content_bulk.brand_slug(item.brand)] if item.brand else None,
            item.category_path,
            item.price,
            db_datetime(published_at),
        )


def _item_tag_rows(items: Iterable[ItemRow], tag_ids: dict[str, int]) -> Iterator[tuple[str, int]]:
    for item in items:
        for tag_id in dict.fromkeys(tag_ids[slug] for slug, *_ in item.tag_slugs()):
            yield item.external_id, tag_id
