"""Interaction history as arrays: what training fits on and what serving reads a shopper's past from.

One ``History`` holds events as parallel numpy arrays over dense indexes (``u`` for shoppers, ``i``
for content items), with the maps back to database ids. Loaded with one raw query per table:
building 300k Django model instances would take longer than the training itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import scipy.sparse as sp
from django.db import connection

from content.models import ContentItem, ContentProduct, Product, Tag
from content.selectors import category_roots
from feedsite.dispatch import answers
from profiles.events import state
from profiles.events.models import Interaction
from profiles.events.types import EVENT_TYPES
from profiles.models import Follow, Interest
from ranking import signals
from ranking.signals import NEUTRAL_REPUTATION as NEUTRAL

# Graded relevance of what a shopper did, for training labels (``EventType.grade``). A skip or a
# hide says "not this": label 0, and it does not count as a positive in history.
EVENT_GRADE = {t.name: t.grade for t in EVENT_TYPES}
# What the counter features count an event as: its index in ``state.RANKING_KINDS`` (engaged, shown),
# as the consumer counts it, so that the world's counters are the real-time store's.
NOT_COUNTED = -1
COUNTER_KIND = {t: state.RANKING_KINDS.index(kind) for t, kind in state.RANKING_KIND_OF.items()}
# Device classes of the events' and requests' context (``profiles.events.schema.DEVICE_CLASSES``), by code.
DEVICES = ("unknown", "mobile", "tablet", "desktop", "tv")
DEVICE_CODE = {name: code for code, name in enumerate(DEVICES)}
# A stand-in content id for items the world was not fitted on (published after training): it has
# no interactions, so its statistics are those of a brand-new item.
UNKNOWN_ITEM = -1


@dataclass
class ItemFacts:
    """What is known of items and their creators besides interactions, as loaded (creators by index, 0: none)."""

    item_creator: np.ndarray  # int32 creator index of each item
    item_log_price: np.ndarray  # float32 log1p(price) of the item's first product; NaN without one
    item_log_stock: np.ndarray  # float32 log1p(stock) of its active products; NaN without products
    creator_reputation: np.ndarray  # float32 per creator index (moderation's; neutral without a standing)
    follow_creator: np.ndarray  # int32 creator index of each follow
    follow_t: np.ndarray  # float64 when each follow was made
    # Tags: the items' (items × tag columns, 1 where an item carries the tag) and the interests
    # shoppers picked at onboarding (shopper id, tag column, when), for ``Interests``.
    item_tags: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0), dtype=np.float32))
    tag_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # tag id of each column, sorted
    interest_shopper: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    interest_tag: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    interest_t: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def empty(cls, n_items: int) -> ItemFacts:
        return cls(
            item_creator=np.zeros(n_items, np.int32),
            item_log_price=np.full(n_items, np.nan, np.float32),
            item_log_stock=np.full(n_items, np.nan, np.float32),
            creator_reputation=np.full(1, NEUTRAL, np.float32),
            follow_creator=np.zeros(0, np.int32),
            follow_t=np.zeros(0),
            item_tags=sp.csr_matrix((n_items, 0), dtype=np.float32),
        )

    @property
    def n_creators(self) -> int:
        return len(self.creator_reputation)


@dataclass
class History:
    u: np.ndarray  # int32 shopper index
    i: np.ndarray  # int32 item index
    t: np.ndarray  # float64 Unix seconds
    r: np.ndarray  # float32 value (rating …), NaN when absent
    g: np.ndarray  # int8 relevance grade (EVENT_GRADE)
    k: np.ndarray  # int8 what the counter features count it as (COUNTER_KIND; -1: nothing)
    d: np.ndarray  # int8 device code (DEVICES) of the event's context
    shoppers: np.ndarray  # int64 shopper id of each index
    items: np.ndarray  # int64 content id of each index
    item_cat: np.ndarray  # int32 root-category index of each item (0 = none)
    n_cat: int
    facts: ItemFacts
    shopper_index: dict[int, int] = field(default_factory=dict)
    item_index: dict[int, int] = field(default_factory=dict)
    # float32 per shopper index: how much their interactions count in popularity, trending and
    # counters (``shopper_weights``); None: everyone fully.
    shopper_weight: np.ndarray | None = None

    @property
    def nu(self) -> int:
        return len(self.shoppers)

    @property
    def ni(self) -> int:
        return len(self.items)

    @property
    def weights(self) -> np.ndarray | None:
        """Each event's weight in popularity, trending and counters (its shopper's); None: all 1."""
        return None if self.shopper_weight is None else self.shopper_weight[self.u]

    def subset(self, mask: np.ndarray) -> History:
        """The same id space with only the events where ``mask`` holds."""
        return History(
            u=self.u[mask],
            i=self.i[mask],
            t=self.t[mask],
            r=self.r[mask],
            g=self.g[mask],
            k=self.k[mask],
            d=self.d[mask],
            shoppers=self.shoppers,
            items=self.items,
            item_cat=self.item_cat,
            n_cat=self.n_cat,
            facts=self.facts,
            shopper_index=self.shopper_index,
            item_index=self.item_index,
            shopper_weight=self.shopper_weight,
        )


def epoch_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})::float8"
    # julianday, not strftime('%s'): a literal %s would be taken for a query parameter.
    return f"(julianday({column}) - 2440587.5) * 86400.0"


def _json_text_sql(column: str, key: str) -> str:
    if connection.vendor == "postgresql":
        return f"{column}->>'{key}'"
    return f"json_extract({column}, '$.{key}')"


def creator_reputations() -> dict[int, float]:
    """Creators' reputations as the apps above report them (``signals.creator_reputations``, one
    query for moderation's); a creator left out is ``NEUTRAL``."""
    found: dict[int, float] = {}
    for reputations in answers(signals.creator_reputations, History):
        found.update(reputations)
    return found


def shopper_weights(shoppers: np.ndarray) -> np.ndarray | None:
    """How much each of ``shoppers`` (ids) counts, as the apps above report it
    (``signals.shopper_weights``, one query for moderation's low-trust shoppers); None when
    everyone counts fully."""
    found: dict[int, float] = {}
    for weights in answers(signals.shopper_weights, History):
        found.update(weights)
    if not found:
        return None
    return np.fromiter((found.get(int(s), 1.0) for s in shoppers), np.float32, len(shoppers))


def shopper_segments(history: History, when: np.ndarray) -> np.ndarray:
    """Each of ``history``'s shoppers' segment code (per shopper index) as of ``when[u]``, as the
    apps above report it (``signals.shopper_segments``: one query for experiments' orders); 0 for a
    shopper in none, and for everyone when nobody answers."""
    found: dict[int, int] = {}
    for codes in answers(signals.shopper_segments, History, history=history, when=when):
        found.update(codes)
    return np.fromiter((found.get(int(s), 0) for s in history.shoppers), np.int64, history.nu)


def item_facts(items: np.ndarray) -> ItemFacts:
    """Creators, first-product prices, stock, creators' reputations and follows of ``items``: four queries."""
    item_table, link_table = ContentItem._meta.db_table, ContentProduct._meta.db_table
    product_table, follow_table = Product._meta.db_table, Follow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, creator_id FROM {item_table}")
        creator_of = {pk: creator for pk, creator in cursor.fetchall() if creator is not None}
        cursor.execute(
            f"SELECT l.content_id, p.price, p.stock, p.active FROM {link_table} l "
            f"JOIN {product_table} p ON p.id = l.product_id ORDER BY l.content_id, l.position"
        )
        price_of: dict[int, float] = {}
        stock_of: dict[int, int] = {}
        for content_id, price, stock, active in cursor.fetchall():
            if content_id not in price_of and price is not None:
                price_of[content_id] = float(price)
            stock_of[content_id] = stock_of.get(content_id, 0) + (stock if active else 0)
        cursor.execute(f"SELECT creator_id, {epoch_sql('created_at')} FROM {follow_table}")
        follows = cursor.fetchall()
        cursor.execute(f"SELECT contentitem_id, tag_id FROM {ContentItem.tags.through._meta.db_table}")
        item_tag_rows = cursor.fetchall()
        cursor.execute(f"SELECT shopper_id, tag_id, {epoch_sql('created_at')} FROM {Interest._meta.db_table}")
        interests = cursor.fetchall()
    reputation_of = creator_reputations()
    creators = sorted(set(creator_of.values()) | {creator for creator, _ in follows})
    index = {creator: n + 1 for n, creator in enumerate(creators)}
    reputation = np.full(len(creators) + 1, NEUTRAL, np.float32)
    for creator, value in reputation_of.items():
        if creator in index:
            reputation[index[creator]] = value
    ids = items.tolist()
    tag_ids = np.unique(np.fromiter((tag for _, tag in item_tag_rows), np.int64, len(item_tag_rows)))
    row_of = {pk: n for n, pk in enumerate(ids)}
    pairs = [(row_of[item], tag) for item, tag in item_tag_rows if item in row_of]
    rows = np.fromiter((r for r, _ in pairs), np.int64, len(pairs))
    columns = np.searchsorted(tag_ids, np.fromiter((t for _, t in pairs), np.int64, len(pairs)))
    item_tags = sp.csr_matrix((np.ones(len(pairs), np.float32), (rows, columns)), shape=(len(ids), len(tag_ids)))
    known_tags = set(tag_ids.tolist())
    picked = [row for row in interests if row[1] in known_tags]
    return ItemFacts(
        item_creator=np.fromiter((index.get(creator_of.get(i, -1), 0) for i in ids), np.int32, len(ids)),
        item_log_price=np.fromiter((np.log1p(price_of.get(i, np.nan)) for i in ids), np.float32, len(ids)),
        item_log_stock=np.fromiter(
            (np.log1p(stock_of[i]) if i in stock_of else np.nan for i in ids), np.float32, len(ids)
        ),
        creator_reputation=reputation,
        follow_creator=np.fromiter((index[creator] for creator, _ in follows), np.int32, len(follows)),
        follow_t=np.fromiter((float(t) for _, t in follows), np.float64, len(follows)),
        item_tags=item_tags,
        tag_ids=tag_ids,
        interest_shopper=np.fromiter((row[0] for row in picked), np.int64, len(picked)),
        interest_tag=np.searchsorted(tag_ids, np.fromiter((row[1] for row in picked), np.int64, len(picked))),
        interest_t=np.fromiter((row[2] for row in picked), np.float64, len(picked)),
    )


def item_root_categories(item_ids: np.ndarray) -> tuple[np.ndarray, int]:
    """For each item, the index (1…) of the root of its category tags; 0 for none."""
    root_of = category_roots()
    through = ContentItem.tags.through
    item_root: dict[int, int] = {}
    for content_id, tag_id in through.objects.filter(tag__kind=Tag.Kind.CATEGORY).values_list(
        "contentitem_id", "tag_id"
    ):
        item_root.setdefault(content_id, root_of.get(tag_id, tag_id))
    roots = {r: n + 1 for n, r in enumerate(sorted(set(item_root.values())))}
    cats = np.fromiter((roots.get(item_root.get(int(i), -1), 0) for i in item_ids), np.int32, len(item_ids))
    return cats, len(roots) + 1


def history_load(*, until: datetime | None = None, extra_items: Iterable[int] = ()) -> History:
    """All interactions (before ``until``), over every published item plus ``extra_items``."""
    where, params = "", []
    if until is not None:
        where, params = "WHERE occurred_at < %s", [until]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT shopper_id, content_id, {epoch_sql('occurred_at')}, value, type, "
            # In a fixed order: events at the same moment (a dataset with day-granular times) are
            # then held back the same way by every training run on the same data.
            f"{_json_text_sql('context', 'device')} FROM {Interaction._meta.db_table} {where} ORDER BY occurred_at, id",
            params,
        )
        rows = cursor.fetchall()
        cursor.execute(f"SELECT id FROM {ContentItem._meta.db_table} WHERE status = %s", [ContentItem.Status.PUBLISHED])
        published = [row[0] for row in cursor.fetchall()]
    shopper_ids = np.fromiter((row[0] for row in rows), np.int64, len(rows))
    content_ids = np.fromiter((row[1] for row in rows), np.int64, len(rows))
    extra = np.fromiter(extra_items, np.int64)
    items = np.unique(np.concatenate([content_ids, np.asarray(published, np.int64), extra, [UNKNOWN_ITEM]]))
    shoppers = np.unique(shopper_ids)
    cats, n_cat = item_root_categories(items)
    grades = np.fromiter((EVENT_GRADE.get(row[4], 1) for row in rows), np.int8, len(rows))
    return History(
        u=np.searchsorted(shoppers, shopper_ids).astype(np.int32),
        i=np.searchsorted(items, content_ids).astype(np.int32),
        t=np.fromiter((row[2] for row in rows), np.float64, len(rows)),
        r=np.fromiter((np.nan if row[3] is None else row[3] for row in rows), np.float32, len(rows)),
        g=grades,
        k=np.fromiter((COUNTER_KIND.get(row[4], NOT_COUNTED) for row in rows), np.int8, len(rows)),
        d=np.fromiter((DEVICE_CODE.get(row[5], 0) for row in rows), np.int8, len(rows)),
        shoppers=shoppers,
        items=items,
        item_cat=cats,
        n_cat=n_cat,
        facts=item_facts(items),
        shopper_index={int(s): n for n, s in enumerate(shoppers)},
        item_index={int(i): n for n, i in enumerate(items)},
        shopper_weight=shopper_weights(shoppers),
    )
