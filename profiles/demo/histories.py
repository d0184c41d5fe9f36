"""Demo shoppers and what they did: taste, sessions of views, likes, shares, carts and purchases.

Each shopper has a taste: weights over category groups ("Beauty > Skin"), concentrated on one or
two top categories. Views are drawn from that taste (with some exploration) among items already
published at the time, and the chance of a like, share, add-to-cart or purchase grows with how
much the shopper likes the item's group, so a recommender has real signal to find.

Rough ratios per view at full scale: like 6-8 %, share ~1 %, add-to-cart ~3 %, and a third of the
carts become purchases.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate

from content.models import Creator, Tag
from profiles.demo import accounts, catalog
from profiles.demo.plan import WINDOW, ItemPlan, Kind, ShopPlan, Sizes, Source, Status, TagKey, rng_for, weighted_index
from profiles.events.models import InteractionType

EXPLORE = 0.1
SESSION_MEAN_VIEWS = 11
VIEWS_MEDIAN = 70
# Nobody has seen more than this share of the feed.
VIEWS_MAX_SHARE = 0.6
ONBOARDED_SHARE = 0.65


@dataclass
class EventPlan:
    type: str
    item: int
    at: datetime
    session: int
    position: int
    product: int | None = None
    dwell_ms: int | None = None
    value: float | None = None


@dataclass
class ShopperPlan:
    username: str
    first_name: str
    joined: datetime
    mobile: bool
    # Weight of each category group ("Beauty > Skin"), the best one 1.0.
    taste: dict[str, float] = field(default_factory=dict)
    onboarded_at: datetime | None = None
    interests: list[TagKey] = field(default_factory=list)
    follows: dict[int, datetime] = field(default_factory=dict)
    events: list[EventPlan] = field(default_factory=list)

    @property
    def last_seen_at(self) -> datetime | None:
        return max((event.at for event in self.events), default=None)


def _published_at(item: ItemPlan) -> datetime:
    assert item.published_at is not None, "only published items are drawn"
    return item.published_at


class _Catalogue:
    """Published items by group, oldest first, with cumulative exposure weights for fast draws."""

    def __init__(self, shop: ShopPlan) -> None:
        self.shop = shop
        published = [i for i, item in enumerate(shop.items) if item.status == Status.PUBLISHED]
        published.sort(key=lambda i: _published_at(shop.items[i]))
        self.groups: dict[str, list[int]] = {}
        for index in published:
            self.groups.setdefault(shop.items[index].group, []).append(index)
        self.times = {g: [_published_at(shop.items[i]) for i in ids] for g, ids in self.groups.items()}
        # Promoted items are shown more: that is what the brand pays for.
        self.cumulative = {
            g: list(
                accumulate(shop.items[i].quality * (1.8 if shop.items[i].source == Source.PROMOTED else 1) for i in ids)
            )
            for g, ids in self.groups.items()
        }
        self.published = len(published)

    def draw(self, rng: random.Random, group: str, before: datetime) -> int | None:
        """An item of ``group`` published before ``before``, by exposure weight; None if there is none."""
        available = bisect_left(self.times[group], before)
        if not available:
            return None
        cumulative = self.cumulative[group]
        position = min(bisect_left(cumulative, rng.random() * cumulative[available - 1]), available - 1)
        return self.groups[group][position]


def _taste(rng: random.Random, groups: list[str]) -> dict[str, float]:
    """Weights over ``groups``: a main top category, maybe a second, a little of everything else."""
    tops = sorted({group.split(" > ")[0] for group in groups}, key=catalog.TOPS.index)
    main = rng.choices(tops, [catalog.TOP_POPULARITY[top] for top in tops])[0]
    others = [top for top in tops if top != main]
    second = rng.choice(others) if others and rng.random() < 0.5 else None
    top_weight = {top: 1.0 if top == main else 0.45 if top == second else 0.05 for top in tops}
    taste = {group: top_weight[group.split(" > ")[0]] * rng.gammavariate(0.8, 1.0) for group in groups}
    best = max(taste.values())
    return {group: weight / best for group, weight in taste.items()}


def _sessions(rng: random.Random, views: int, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """(start, number of views) of each session, in time order."""
    sessions: list[tuple[datetime, int]] = []
    remaining = views
    while remaining > 0:
        length = min(remaining, 1 + int(rng.expovariate(1 / SESSION_MEAN_VIEWS)))
        sessions.append((start + (end - start) * rng.random(), length))
        remaining -= length
    return sorted(sessions)


def _dwell_ms(rng: random.Random, kind: str, duration_ms: int | None, affinity: float) -> int:
    if kind == Kind.VIDEO and duration_ms:
        # Share of the clip watched; past 1.0 it looped.
        watched = min(3.0, rng.lognormvariate(math.log(0.4 + 0.8 * affinity), 0.5))
        return max(300, int(duration_ms * watched))
    return int(rng.uniform(800, 6000) * (0.6 + affinity))


def _shopper_events(
    rng: random.Random, shopper: ShopperPlan, catalogue: _Catalogue, durations: dict[str, int], now: datetime
) -> None:
    shop = catalogue.shop
    groups = list(catalogue.groups)
    taste = shopper.taste
    cumulative = list(accumulate(taste[group] for group in groups))
    views = min(
        int(catalogue.published * VIEWS_MAX_SHARE),
        max(6, int(rng.lognormvariate(math.log(VIEWS_MEDIAN), 0.75))),
    )
    start = max(now - WINDOW, shopper.joined)
    seen: set[int] = set()
    for session, (at, length) in enumerate(_sessions(rng, views, start, now - timedelta(minutes=30))):
        position = 0
        for _ in range(length):
            item_index = None
            for _attempt in range(6):
                group = rng.choice(groups) if rng.random() < EXPLORE else groups[weighted_index(rng, cumulative)]
                candidate = catalogue.draw(rng, group, at)
                if candidate is not None and candidate not in seen:
                    item_index = candidate
                    break
            if item_index is None:
                continue
            seen.add(item_index)
            item = shop.items[item_index]
            affinity = taste[item.group]
            dwell = _dwell_ms(rng, item.kind, durations.get(item.media), affinity)
            shopper.events.append(EventPlan(InteractionType.VIEW, item_index, at, session, position, dwell_ms=dwell))
            reacted = at + timedelta(milliseconds=dwell * 0.6)
            if rng.random() < 0.02 + 0.09 * affinity * min(item.quality, 2.5):
                shopper.events.append(EventPlan(InteractionType.LIKE, item_index, reacted, session, position))
            if rng.random() < 0.003 + 0.014 * affinity:
                shopper.events.append(EventPlan(InteractionType.SHARE, item_index, reacted, session, position))
            stocked = [i for i in item.products if shop.products[i].stock > 0]
            if stocked and rng.random() < (0.006 + 0.05 * affinity) * _price_appeal(
                float(shop.products[stocked[0]].price)
            ):
                product = stocked[0] if rng.random() < 0.7 else rng.choice(stocked)
                carted = reacted + timedelta(seconds=rng.uniform(2, 20))
                shopper.events.append(
                    EventPlan(InteractionType.ADD_TO_CART, item_index, carted, session, position, product, value=1)
                )
                bought = carted + timedelta(minutes=rng.uniform(1, 36 * 60))
                if bought < now and rng.random() < 0.33:
                    quantity = 2.0 if rng.random() < 0.1 else 1.0
                    shopper.events.append(
                        EventPlan(
                            InteractionType.PURCHASE, item_index, bought, session, position, product, value=quantity
                        )
                    )
            at = reacted + timedelta(milliseconds=dwell * 0.4 + rng.uniform(300, 2500))
            position += 1


def _price_appeal(price: float) -> float:
    return 1.3 if price < 30 else 1.0 if price < 100 else 0.6


def _follows(rng: random.Random, shopper: ShopperPlan, shop: ShopPlan, now: datetime) -> None:
    """A few creators the shopper's categories suggest, plus some creators of posts they liked."""
    top_affinity: dict[str, float] = {}
    for group, weight in shopper.taste.items():
        top = group.split(" > ")[0]
        top_affinity[top] = max(weight, top_affinity.get(top, 0.0))
    start = max(now - WINDOW, shopper.joined)
    factor: dict[str, float] = {Creator.Kind.SHOPPER: 1.0, Creator.Kind.BRAND: 0.8, Creator.Kind.EDITORIAL: 0.6}
    weights = [
        factor[creator.kind]
        * (1.6 if creator.verified else 1.0)
        * max(0.05, *(top_affinity.get(top, 0.0) for top in creator.tops))
        for creator in shop.creators
    ]
    wanted = min(len(shop.creators), 1 + int(rng.expovariate(1 / 3)))
    # Weighted sampling without replacement (Efraimidis-Spirakis keys).
    ranked = sorted(range(len(shop.creators)), key=lambda i: rng.random() ** (1 / weights[i]), reverse=True)
    for index in ranked[:wanted]:
        shopper.follows[index] = start + (now - start) * rng.random()
    for event in shopper.events:
        creator = shop.items[event.item].creator
        if (
            event.type == InteractionType.LIKE
            and creator is not None
            and creator not in shopper.follows
            and rng.random() < 0.2
        ):
            shopper.follows[creator] = event.at + timedelta(seconds=rng.uniform(1, 30))


def _interests(rng: random.Random, shopper: ShopperPlan) -> None:
    """What the shopper picked at onboarding: their favourite groups and those groups' top categories."""
    favourites = sorted(shopper.taste, key=lambda group: -shopper.taste[group])[: rng.randint(1, 3)]
    keys = [(Tag.Kind.CATEGORY, group.split(" > ")[0]) for group in favourites]
    keys += [(Tag.Kind.CATEGORY, group) for group in favourites[:2]]
    shopper.interests = list(dict.fromkeys(keys))
    shopper.onboarded_at = shopper.joined + timedelta(minutes=rng.uniform(1, 10))


def plan_shoppers(*, seed: int, sizes: Sizes, shop: ShopPlan, now: datetime) -> list[ShopperPlan]:
    rng = rng_for(seed, "shoppers")
    catalogue = _Catalogue(shop)
    durations = {video.key: video.duration_ms for video in shop.videos}
    shoppers: list[ShopperPlan] = []
    for number in range(1, sizes.shoppers + 1):
        # Most joined before the demo's 30 days; a fifth during them.
        days = rng.uniform(31, 365) if rng.random() < 0.8 else rng.uniform(1, 29)
        shopper = ShopperPlan(
            username=f"shopper{number}",
            first_name=rng.choice(accounts.FIRST_NAMES),
            joined=now - timedelta(days=days),
            mobile=rng.random() < 0.85,
        )
        if catalogue.groups:
            shopper.taste = _taste(rng, list(catalogue.groups))
            _shopper_events(rng, shopper, catalogue, durations, now)
        _follows(rng, shopper, shop, now)
        if rng.random() < ONBOARDED_SHARE and shopper.taste:
            _interests(rng, shopper)
        shoppers.append(shopper)
    return shoppers
