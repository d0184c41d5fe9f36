"""What the event pipeline needs to know about an item: who made it, what it is about, its price band.

Read in bulk from the database and kept in a small in-process cache: items change rarely and the
consumer sees the same popular items over and over.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from content.models import ContentItem, Tag
from feedsite import caches

# 50k items × ~200 bytes ≈ 10 MB per process; entries older than the TTL are re-read.
CACHE_MAX_ITEMS = 50_000
CACHE_TTL_SECONDS = 300


@dataclass(frozen=True)
class ItemMeta:
    item: int
    creator: int | None
    brand: int | None
    tags: tuple[int, ...]
    categories: tuple[int, ...]
    price_band: int | None
    products: tuple[int, ...]


def price_band(price: float | None) -> int | None:
    """Octave bands: 0 is under 2, 3 is 8 to 16, 4 is 16 to 32 … (in the product's currency)."""
    if price is None or price <= 0:
        return None
    return max(0, int(math.log2(price)))


_lock = threading.Lock()
_cache: dict[int, tuple[float, ItemMeta]] = {}
caches.register("profiles.events.meta", _cache.clear)


def _load(ids: list[int]) -> dict[int, ItemMeta]:
    rows = (
        ContentItem.objects.filter(pk__in=ids)
        .prefetch_related("tags", "product_links__product")
        .only("pk", "creator_id", "brand_id")
    )
    found: dict[int, ItemMeta] = {}
    for item in rows:
        tags = list(item.tags.all())
        links = sorted(item.product_links.all(), key=lambda link: link.position)
        first_price = links[0].product.price if links else None
        found[item.pk] = ItemMeta(
            item=item.pk,
            creator=item.creator_id,
            brand=item.brand_id or (links[0].product.brand_id if links else None),
            tags=tuple(t.pk for t in tags if t.kind != Tag.Kind.CATEGORY),
            categories=tuple(t.pk for t in tags if t.kind == Tag.Kind.CATEGORY),
            price_band=price_band(float(first_price) if first_price is not None else None),
            products=tuple(link.product_id for link in links),
        )
    return found


def item_meta(ids: Iterable[int]) -> dict[int, ItemMeta]:
    """Metadata for the items among ``ids`` that exist (3 queries for the misses, none for hits)."""
    now = time.monotonic()
    wanted = set(ids)
    hits: dict[int, ItemMeta] = {}
    with _lock:
        for pk in wanted:
            entry = _cache.get(pk)
            if entry is not None and now - entry[0] < CACHE_TTL_SECONDS:
                hits[pk] = entry[1]
    missing = sorted(wanted - set(hits))
    if missing:
        loaded = _load(missing)
        hits.update(loaded)
        with _lock:
            if len(_cache) + len(loaded) > CACHE_MAX_ITEMS:
                _cache.clear()
            for pk, meta in loaded.items():
                _cache[pk] = (now, meta)
    return hits
