"""The demo's content items: who posted what, showing which products, with captions and tags."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property

from content.models import Creator, Tag
from profiles.demo import captions, catalog
from profiles.demo.plan import (
    MIX,
    UNPUBLISHED,
    WINDOW,
    ItemPlan,
    Kind,
    ProductPlan,
    ShopPlan,
    Sizes,
    Source,
    Status,
    TagKey,
    rng_for,
)

# How many products a post shows: 1 (half the time), 2 or 3.
PRODUCTS_PER_POST = (1, 2, 3)
PRODUCTS_PER_POST_WEIGHTS = (0.5, 0.35, 0.15)
PRICE_CAPS = (20, 30, 50, 100, 150, 200, 300, 500, 1000)


def _pick(rng: random.Random, candidates: list[int], weights: list[float]) -> int:
    return rng.choices(candidates, weights)[0]


class _Chooser:
    """Draws creators and products for items, favouring active creators and popular products."""

    def __init__(self, shop: ShopPlan, rng: random.Random) -> None:
        self.shop, self.rng = shop, rng
        creators = list(enumerate(shop.creators))
        self.ugc = [i for i, c in creators if c.kind == Creator.Kind.SHOPPER]
        self.editorial = [i for i, c in creators if c.kind == Creator.Kind.EDITORIAL]
        self.brand_account = {c.brand: i for i, c in creators if c.kind == Creator.Kind.BRAND}
        self.popularity = [p.popularity for p in shop.products]
        self._pools: dict[tuple[object, ...], list[int]] = {}

    def _pool(self, key: tuple[object, ...], keep: Callable[[ProductPlan], bool]) -> list[int]:
        """Indices of the products ``keep`` accepts, remembered under ``key`` (3,000 items, ~100 pools)."""
        if key not in self._pools:
            self._pools[key] = [i for i, p in enumerate(self.shop.products) if keep(p)]
        return self._pools[key]

    def creator(self, source: str) -> int:
        pool = self.ugc if source == Source.USER else self.editorial
        return _pick(self.rng, pool, [self.shop.creators[i].activity for i in pool])

    def brand_creator(self) -> int:
        pool = list(self.brand_account.values())
        return _pick(self.rng, pool, [self.shop.creators[i].activity for i in pool])

    def product(self, *, tops: tuple[str, ...] | None, brand: int | None, pictured: bool) -> int:
        def keep(p: ProductPlan) -> bool:
            return (tops is None or p.leaf.top in tops) and (brand is None or p.brand == brand)

        candidates = self._pool(("lead", tops, brand), keep)
        if pictured:
            shown = self._pool(("shown", tops, brand), lambda p: keep(p) and p.external_id in self.shown_ids)
            # A creator whose categories have no product shot still posts: any shot will do.
            candidates = shown or self._pool(("shown",), lambda p: p.external_id in self.shown_ids)
        return _pick(self.rng, candidates, [self.popularity[i] for i in candidates])

    @cached_property
    def shown_ids(self) -> set[str]:
        return {self.shop.products[i].external_id for i in self.shop.product_image}

    def companions(self, first: int, count: int, *, brand: int | None) -> list[int]:
        """Up to ``count`` more products that go with ``first``: its group, then its top category."""
        lead = self.shop.products[first].leaf
        chosen = [first]
        for scope, value in (("group", lead.group), ("top", lead.top)):
            if len(chosen) > count:
                break

            def keep(p: ProductPlan, scope: str = scope, value: str = value) -> bool:
                return (brand is None or p.brand == brand) and getattr(p.leaf, scope) == value

            pool = [i for i in self._pool((scope, value, brand), keep) if i not in chosen]
            while pool and len(chosen) <= count:
                pick = _pick(self.rng, pool, [self.popularity[i] for i in pool])
                chosen.append(pick)
                pool.remove(pick)
        return chosen[1:]


def _hashtag(name: str) -> str:
    return "#" + re.sub(r"[^0-9a-z]", "", name.lower())


def _price_cap(price: float) -> str:
    return f"€{next((cap for cap in PRICE_CAPS if cap >= price), PRICE_CAPS[-1])}"


def _caption(rng: random.Random, item: ItemPlan, shop: ShopPlan, tags: list[TagKey]) -> str:
    lead: ProductPlan = shop.products[item.products[0]]
    brand = shop.brands[item.brand if item.brand is not None else lead.brand]
    singular, plural = catalog.NOUNS[lead.leaf.name]
    templates = captions.CAPTIONS[(item.source, item.kind)]
    if item.source == Source.USER and rng.random() < 0.4:
        templates = captions.TOP_CAPTIONS[lead.leaf.top]
    template = rng.choice(templates)
    text = template.format(
        product=lead.base,
        variant=lead.variant,
        brand=brand.name,
        campaign=brand.campaign,
        leaf=singular,
        leaf_plural=plural,
        price=f"€{lead.price}",
        price_cap=_price_cap(float(lead.price)),
        weeks=rng.randint(2, 8),
        praise=rng.choice(captions.PRAISE[lead.leaf.top]),
        verdict=rng.choice(captions.VERDICTS),
        claim=rng.choice(captions.CLAIMS),
        emoji=rng.choice(captions.EMOJI),
    ).strip()
    if item.kind == Kind.PRODUCT_CARD:
        return text
    words = [name for kind, name in tags if kind != Tag.Kind.CATEGORY] + [lead.leaf.top, lead.leaf.name]
    hashtags = list(dict.fromkeys(_hashtag(word) for word in words))
    return f"{text} {' '.join(hashtags[: rng.randint(2, 4)])}"


def _tags(rng: random.Random, item: ItemPlan, shop: ShopPlan) -> list[TagKey]:
    lead = shop.products[item.products[0]]
    parts = lead.leaf.path.split(" > ")
    keys: list[TagKey] = [(Tag.Kind.CATEGORY, " > ".join(parts[: depth + 1])) for depth in range(len(parts))]
    titles = " ".join(shop.products[i].title.lower() for i in item.products)
    keys += [(Tag.Kind.INGREDIENT, name) for name in catalog.INGREDIENTS if name.lower() in titles]
    styles = lead.leaf.styles
    keys += [(Tag.Kind.STYLE, name) for name in rng.sample(styles, min(len(styles), rng.choice((0, 1, 1, 2))))]
    if rng.random() < 0.7:
        keys.append((Tag.Kind.TOPIC, rng.choice(captions.TOPICS[item.source])))
    if rng.random() < 0.5:
        keys.append((Tag.Kind.TOPIC, rng.choice(captions.TOP_TOPICS[lead.leaf.top])))
    return list(dict.fromkeys(keys))


def _timeline(rng: random.Random, item: ItemPlan, now: datetime) -> None:
    """Review timestamps for the item's status; published items spread over ``WINDOW``, newest densest."""
    minutes = timedelta(minutes=1)
    if item.status == Status.PUBLISHED:
        item.published_at = now - WINDOW * rng.random() ** 1.4 - 2 * minutes
        review = rng.uniform(3, 480) if item.source == Source.USER else rng.uniform(1, 30)
        item.submitted_at = item.published_at - review * minutes
    elif item.status == Status.PENDING:
        item.submitted_at = now - rng.uniform(10, 3 * 24 * 60) * minutes
    elif item.status == Status.REJECTED:
        item.submitted_at = now - rng.uniform(1, 20) * 24 * 60 * minutes
        item.rejected_at = item.submitted_at + rng.uniform(10, 720) * minutes


def _mix(rng: random.Random, sizes: Sizes) -> list[tuple[str, str, str]]:
    """(kind, source, status) of every item: each published combination once, each unpublished
    status once on a user post, the rest drawn from ``MIX`` and ``UNPUBLISHED``; shuffled."""
    combos = list(MIX)
    rows: list[tuple[str, str, str]] = [(kind, source, Status.PUBLISHED) for kind, source in combos]
    rows += [(Kind.IMAGE if i % 2 else Kind.VIDEO, Source.USER, status) for i, (status, _) in enumerate(UNPUBLISHED)]
    for kind, source in rng.choices(combos, list(MIX.values()), k=max(0, sizes.items - len(rows))):
        status: str = Status.PUBLISHED
        if source == Source.USER:
            roll = rng.random()
            for candidate, share in UNPUBLISHED:
                if roll < share:
                    status = candidate
                    break
                roll -= share
        rows.append((kind, source, status))
    rng.shuffle(rows)
    return rows


def plan_items(*, seed: int, sizes: Sizes, shop: ShopPlan, now: datetime) -> None:
    """Fill ``shop.items``. Videos use a pool video of their main product's top category."""
    rng = rng_for(seed, "items")
    chooser = _Chooser(shop, rng)
    videos_by_top: dict[str, list[str]] = {}
    for video in shop.videos:
        videos_by_top.setdefault(video.top, []).append(video.key)
    for number, (kind, source, status) in enumerate(_mix(rng, sizes)):
        brand: int | None = None
        creator: int | None
        if source in (Source.BRAND, Source.PROMOTED):
            creator = chooser.brand_creator()
            brand = shop.creators[creator].brand
            # A third of product cards come straight from the catalogue, with no account behind them.
            if kind == Kind.PRODUCT_CARD and rng.random() < 1 / 3:
                creator = None
        else:
            creator = chooser.creator(source)
        tops = shop.creators[creator].tops if creator is not None and source != Source.BRAND else None
        pictured = kind in (Kind.IMAGE, Kind.PRODUCT_CARD)
        first = chooser.product(tops=tops, brand=brand, pictured=pictured)
        if brand is not None and shop.products[first].brand != brand:
            # The brand has no product shot: the post moves to the brand whose shot it uses.
            brand = shop.products[first].brand
            creator = chooser.brand_account[brand] if creator is not None else None
        extra = 0 if kind == Kind.PRODUCT_CARD else rng.choices(PRODUCTS_PER_POST, PRODUCTS_PER_POST_WEIGHTS)[0] - 1
        products = [first, *chooser.companions(first, extra, brand=brand)]
        lead = shop.products[first]
        if kind == Kind.VIDEO:
            media = rng.choice(videos_by_top.get(lead.leaf.top) or [video.key for video in shop.videos])
        elif kind == Kind.BRAND_POST:
            media = shop.brand_image[brand if brand is not None else lead.brand]
        else:
            media = shop.product_image[first]
        item = ItemPlan(
            external_id=f"demo-{number + 1:05d}",
            kind=kind,
            source=source,
            creator=creator,
            brand=brand,
            caption="",
            products=products,
            tags=[],
            media=media,
            status=status,
            group=lead.leaf.group,
            quality=rng.lognormvariate(0, 0.5),
        )
        item.tags = _tags(rng, item, shop)
        item.caption = _caption(rng, item, shop, item.tags)
        _timeline(rng, item, now)
        shop.items.append(item)
