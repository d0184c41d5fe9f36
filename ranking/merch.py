"""Merchandising triggers: "viewed a product N times in H hours → boost its related products".

*Related* is defined by the merchant's category path, the one relation products have: another
product whose path agrees with the viewed one's on the first ``related_depth`` levels (0 = the
whole path). A trigger with ``related_depth=2`` turns three views of "Electronics > Cameras >
Mirrorless" into a boost for the lenses and tripods under "Electronics > Cameras". Products the
shopper viewed lately are not boosted, the viewed one included: a trigger cross-sells, it does not
repeat. A product without a category path fires nothing and is related to nothing.

``trigger_boosts`` is pure; ``categories_of`` is the cached lookup that feeds it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from content.models import Product
from content.services import category_path_split
from feedsite import caches
from ranking.timed_cache import TimedCache

# Merchants recategorize rarely; a product's category is re-read at most this often per process.
CATEGORY_CACHE_SECONDS = 300.0
CATEGORY_CACHE_MAX = 100_000

Category = tuple[str, ...]


def category_key(path: str) -> Category:
    """``"Beauty > Skin"`` → ``("beauty", "skin")``: compared level by level, case-insensitively."""
    return tuple(part.casefold() for part in category_path_split(path))


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    min_views: int
    within_hours: float
    boost: float  # score factor, > 0
    scope: Category = ()  # only views of products under this category fire; () = any product
    related_depth: int = 0

    def groups(self, views: Sequence[tuple[int, float]], categories: Mapping[int, str], now: float) -> set[Category]:
        """The category prefixes this trigger boosts, from the products viewed often enough lately."""
        since = now - self.within_hours * 3600
        counts = Counter(product for product, ts in views if ts >= since)
        groups = set()
        for product, n in counts.items():
            key = category_key(categories.get(product, ""))
            if n < self.min_views or not key or key[: len(self.scope)] != self.scope:
                continue
            groups.add(key[: self.related_depth or len(key)])
        return groups


def trigger_boosts(
    triggers: Sequence[Trigger],
    *,
    views: Sequence[tuple[int, float]],
    products: Mapping[int, Sequence[int]],
    categories: Mapping[int, str],
    now: float,
) -> dict[int, tuple[float, str]]:
    """Item → (score factor, trigger name) for the candidates whose card shows a related product.

    ``views`` are the shopper's product views as (product id, epoch seconds); ``products`` maps each
    candidate item to the products its card shows; ``categories`` maps product ids (viewed and
    shown) to their category paths. Where several triggers fire for one card, the strongest factor
    applies alone: factors do not multiply.
    """
    if not triggers or not views:
        return {}
    viewed = {product for product, _ in views}
    fired = [(t, groups) for t in triggers if (groups := t.groups(views, categories, now))]
    if not fired:
        return {}
    keys: dict[int, Category] = {}
    boosts: dict[int, tuple[float, str]] = {}
    for item, shown in products.items():
        for product in shown:
            if product in viewed:
                continue
            key = keys.get(product)
            if key is None:
                key = keys[product] = category_key(categories.get(product, ""))
            for trigger, groups in fired:
                if any(key[: len(g)] == g for g in groups) and trigger.boost > boosts.get(item, (0.0, ""))[0]:
                    boosts[item] = (trigger.boost, trigger.name)
    return boosts


_categories: TimedCache[int, str] = TimedCache(seconds=CATEGORY_CACHE_SECONDS, max_size=CATEGORY_CACHE_MAX)
caches.register("ranking.merch", _categories.forget)


def clear_cache() -> None:
    """Forget the products' categories (``policy.clear_cache`` calls it when a policy changes)."""
    _categories.forget()


def categories_of(product_ids: Iterable[int]) -> dict[int, str]:
    """Product id → category path ("" when none or unknown); one query for the ones not cached.

    The cache holds one short string per product served lately (at most ``CATEGORY_CACHE_MAX``).
    """

    def read(missing: list[int]) -> dict[int, str]:
        rows = dict(Product.objects.filter(pk__in=missing).values_list("pk", "category_path"))
        return {product: rows.get(product, "") for product in missing}

    return _categories.get_many(set(product_ids), read)
