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
from django.db import connection

from content.models import ContentItem, Tag

# Graded relevance of what a shopper did, for training labels (LambdaRank needs labels ≥ 0).
# A skip or a hide says "not this": label 0, and it does not count as a positive in history.
EVENT_GRADE = {
    "impression": 0,
    "skip": 0,
    "hide": 0,
    "unlike": 0,
    "view": 1,
    "dwell": 1,
    "video_progress": 1,
    "open": 1,
    "rate": 1,
    "other": 1,
    "product_click": 2,
    "like": 2,
    "share": 2,
    "comment": 2,
    "follow": 2,
    "add_to_cart": 3,
    "purchase": 4,
}
NEGATIVE_TYPES = frozenset(t for t, g in EVENT_GRADE.items() if g == 0)
# A stand-in content id for items the world was not fitted on (published after training): it has
# no interactions, so its statistics are those of a brand-new item.
UNKNOWN_ITEM = -1


@dataclass
class History:
    u: np.ndarray  # int32 shopper index
    i: np.ndarray  # int32 item index
    t: np.ndarray  # float64 Unix seconds
    r: np.ndarray  # float32 value (rating …), NaN when absent
    g: np.ndarray  # int8 relevance grade (EVENT_GRADE)
    shoppers: np.ndarray  # int64 shopper id of each index
    items: np.ndarray  # int64 content id of each index
    item_cat: np.ndarray  # int32 root-category index of each item (0 = none)
    n_cat: int
    shopper_index: dict[int, int] = field(default_factory=dict)
    item_index: dict[int, int] = field(default_factory=dict)

    @property
    def nu(self) -> int:
        return len(self.shoppers)

    @property
    def ni(self) -> int:
        return len(self.items)

    def subset(self, mask: np.ndarray) -> History:
        """The same id space with only the events where ``mask`` holds."""
        return History(
            u=self.u[mask],
            i=self.i[mask],
            t=self.t[mask],
            r=self.r[mask],
            g=self.g[mask],
            shoppers=self.shoppers,
            items=self.items,
            item_cat=self.item_cat,
            n_cat=self.n_cat,
            shopper_index=self.shopper_index,
            item_index=self.item_index,
        )


def epoch_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})::float8"
    # julianday, not strftime('%s'): a literal %s would be taken for a query parameter.
    return f"(julianday({column}) - 2440587.5) * 86400.0"


def item_root_categories(item_ids: np.ndarray) -> tuple[np.ndarray, int]:
    """For each item, the index (1…) of the root of its category tags; 0 for none."""
    parent = dict(Tag.objects.filter(kind=Tag.Kind.CATEGORY).values_list("id", "parent_id"))

    def root(tag: int) -> int:
        seen = 0
        while parent.get(tag) is not None and seen < 32:
            tag = parent[tag]
            seen += 1
        return tag

    through = ContentItem.tags.through
    item_root: dict[int, int] = {}
    for content_id, tag_id in through.objects.filter(tag__kind=Tag.Kind.CATEGORY).values_list(
        "contentitem_id", "tag_id"
    ):
        item_root.setdefault(content_id, root(tag_id))
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
            f"SELECT shopper_id, content_id, {epoch_sql('occurred_at')}, value, type FROM profiles_interaction {where}",
            params,
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT id FROM content_contentitem WHERE status = %s", [ContentItem.Status.PUBLISHED])
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
        shoppers=shoppers,
        items=items,
        item_cat=cats,
        n_cat=n_cat,
        shopper_index={int(s): n for n, s in enumerate(shoppers)},
        item_index={int(i): n for n, i in enumerate(items)},
    )
