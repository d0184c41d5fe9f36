"""The demo shop as plain data: products, creators, media to render and content items.

Pure and deterministic: everything is drawn from ``random.Random`` streams named after the seed
and the part they decide, so changing how one part is drawn does not reshuffle the others.
Rows refer to each other by index into the plan's lists; ``profiles.demo.write`` maps indices
to database rows.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils.text import slugify

from content.models import ContentItem, Creator
from profiles.demo import accounts, captions, catalog
from profiles.demo.accounts import BrandSpec
from profiles.demo.catalog import Leaf
from profiles.demo.render import PALETTES

Kind = ContentItem.Kind
Source = ContentItem.Source
Status = ContentItem.Status
# (tag kind, name); category tags are named by their whole path ("Beauty > Skin").
TagKey = tuple[str, str]

# Share of content items of each (kind, source); sums to 1.
MIX: dict[tuple[str, str], float] = {
    (Kind.VIDEO, Source.USER): 0.27,
    (Kind.VIDEO, Source.BRAND): 0.06,
    (Kind.VIDEO, Source.EDITORIAL): 0.04,
    (Kind.VIDEO, Source.PROMOTED): 0.05,
    (Kind.IMAGE, Source.USER): 0.18,
    (Kind.IMAGE, Source.BRAND): 0.05,
    (Kind.IMAGE, Source.EDITORIAL): 0.04,
    (Kind.IMAGE, Source.PROMOTED): 0.03,
    (Kind.PRODUCT_CARD, Source.BRAND): 0.06,
    (Kind.PRODUCT_CARD, Source.PROMOTED): 0.05,
    (Kind.PRODUCT_CARD, Source.EDITORIAL): 0.03,
    (Kind.BRAND_POST, Source.BRAND): 0.10,
    (Kind.BRAND_POST, Source.PROMOTED): 0.04,
}
# Items that did not make it to the feed, for the moderation queue: (status, share of user items).
UNPUBLISHED: tuple[tuple[str, float], ...] = ((Status.PENDING, 0.04), (Status.DRAFT, 0.015), (Status.REJECTED, 0.02))
OUT_OF_STOCK_SHARE = 0.06
WINDOW = timedelta(days=30)
IMAGE_SIZE = (720, 1280)
VIDEO_SIZE = (480, 854)


def rng_for(seed: int, part: str) -> random.Random:
    return random.Random(f"{seed}:{part}")


@dataclass(frozen=True)
class Sizes:
    """How many of each thing; ``for_scale(1.0)`` is the full demo, small scales keep every kind."""

    brands: int
    products: int
    editorial: int
    shopper_creators: int
    items: int
    shoppers: int
    videos: int
    images: int

    @classmethod
    def for_scale(cls, scale: float) -> Sizes:
        def scaled(full: int, least: int) -> int:
            return max(least, round(full * scale))

        brands = min(len(accounts.BRANDS), scaled(12, 3))
        return cls(
            brands=brands,
            products=scaled(300, 4 * brands),
            editorial=min(len(accounts.EDITORIAL), scaled(4, 1)),
            shopper_creators=min(len(accounts.FIRST_NAMES), scaled(24, 3)),
            items=scaled(3000, 3 * len(MIX)),
            shoppers=scaled(200, 8),
            videos=scaled(24, 2),
            images=scaled(120, brands + 4),
        )


@dataclass
class ProductPlan:
    external_id: str
    title: str
    base: str
    variant: str
    brand: int
    leaf: Leaf
    price: Decimal
    stock: int
    popularity: float


@dataclass
class CreatorPlan:
    handle: str
    display_name: str
    kind: str
    tops: tuple[str, ...]
    bio: str
    verified: bool
    brand: int | None = None
    # Shopper-creators get a user to sign in with (username = handle).
    with_user: bool = False
    activity: float = 1.0


@dataclass(frozen=True)
class ImageSpec:
    key: str
    title: str
    subtitle: str
    badge: str
    shape: str
    palette: int
    seed: int


@dataclass(frozen=True)
class VideoSpec:
    key: str
    top: str
    title: str
    subtitle: str
    badge: str
    shape: str
    palette: int
    seed: int
    duration_ms: int


@dataclass
class ItemPlan:
    external_id: str
    kind: str
    source: str
    creator: int | None
    brand: int | None
    caption: str
    products: list[int]
    tags: list[TagKey]
    media: str
    status: str
    group: str
    quality: float
    published_at: datetime | None = None
    submitted_at: datetime | None = None
    rejected_at: datetime | None = None


@dataclass
class ShopPlan:
    brands: list[BrandSpec]
    products: list[ProductPlan]
    creators: list[CreatorPlan]
    images: list[ImageSpec]
    videos: list[VideoSpec]
    items: list[ItemPlan] = field(default_factory=list)
    # Which image shows which product / brand (keys into ``images``).
    product_image: dict[int, str] = field(default_factory=dict)
    brand_image: dict[int, str] = field(default_factory=dict)


def weighted_index(rng: random.Random, cumulative: list[float]) -> int:
    return min(bisect_left(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _sells(brand: BrandSpec, leaf: Leaf) -> bool:
    return any(leaf.path.startswith(prefix) for prefix in brand.sells)


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    # Shelf prices end the way shops end them.
    whole = int(math.exp(rng.uniform(math.log(low), math.log(high))))
    return Decimal(f"{whole}.{rng.choice(('00', '90', '95', '99', '50'))}")


def plan_products(*, seed: int, sizes: Sizes, brands: list[BrandSpec]) -> list[ProductPlan]:
    rng = rng_for(seed, "products")
    leaves = [leaf for leaf in catalog.LEAVES if any(_sells(brand, leaf) for brand in brands)]
    products: list[ProductPlan] = []
    taken: set[tuple[int, str, str]] = set()
    for number in range(sizes.products):
        # Every leaf first, then at random: a small shop still has each of its categories.
        leaf = leaves[number] if number < len(leaves) else rng.choice(leaves)
        brand = rng.choice([i for i, spec in enumerate(brands) if _sells(spec, leaf)])
        base, variant = rng.choice(leaf.names), rng.choice(leaf.variants)
        for _ in range(8):
            if (brand, base, variant) not in taken:
                break
            base, variant = rng.choice(leaf.names), rng.choice(leaf.variants)
        taken.add((brand, base, variant))
        in_stock = rng.random() >= OUT_OF_STOCK_SHARE and number != sizes.products - 1
        products.append(
            ProductPlan(
                external_id=f"demo-{number + 1:04d}",
                title=f"{base} {variant}" if variant[0].isdigit() else f"{base} – {variant}",
                base=base,
                variant=variant,
                brand=brand,
                leaf=leaf,
                price=_price(rng, *leaf.price),
                stock=min(500, max(1, int(rng.lognormvariate(math.log(40), 0.9)))) if in_stock else 0,
                popularity=rng.lognormvariate(0, 0.6),
            )
        )
    return products


def plan_creators(*, seed: int, sizes: Sizes, brands: list[BrandSpec], tops: list[str]) -> list[CreatorPlan]:
    rng = rng_for(seed, "creators")
    creators = [
        CreatorPlan(
            handle=slugify(spec.name).replace("-", ""),
            display_name=spec.name,
            kind=Creator.Kind.BRAND,
            tops=tuple(sorted({prefix.split(" > ")[0] for prefix in spec.sells})),
            bio=spec.bio,
            verified=True,
            brand=index,
            activity=rng.lognormvariate(0, 0.4),
        )
        for index, spec in enumerate(brands)
    ]
    creators += [
        CreatorPlan(
            handle=spec.handle,
            display_name=spec.display_name,
            kind=Creator.Kind.EDITORIAL,
            tops=tuple(top for top in spec.tops if top in tops) or tuple(tops),
            bio=spec.bio,
            verified=True,
        )
        for spec in accounts.EDITORIAL[: sizes.editorial]
    ]
    handles = {creator.handle for creator in creators}
    popularity = [catalog.TOP_POPULARITY[top] for top in tops]
    for number, first in enumerate(rng.sample(accounts.FIRST_NAMES, sizes.shopper_creators)):
        main = rng.choices(tops, popularity)[0]
        others = [top for top in tops if top != main]
        second = (rng.choice(others),) if others and rng.random() < 0.4 else ()
        handle = f"{first.lower()}_{rng.choice(accounts.HANDLE_SUFFIXES[main])}"
        while handle in handles:
            handle = f"{handle}{rng.randint(1, 9)}"
        handles.add(handle)
        creators.append(
            CreatorPlan(
                handle=handle,
                display_name=f"{first} {rng.choice(accounts.LAST_INITIALS)}.",
                kind=Creator.Kind.SHOPPER,
                tops=(main, *second),
                bio=rng.choice(accounts.CREATOR_BIOS[main]),
                # The first is verified and the second is not, whatever the draw.
                verified=number == 0 or (number > 1 and rng.random() < 0.25),
                with_user=True,
                activity=rng.lognormvariate(0, 0.7),
            )
        )
    return creators


def _interleaved_by_leaf(products: list[ProductPlan]) -> list[int]:
    """Product indices taking one of each leaf in turn, so any prefix spreads over the leaves."""
    by_leaf: dict[str, list[int]] = {}
    for index, product in enumerate(products):
        by_leaf.setdefault(product.leaf.path, []).append(index)
    queues = list(by_leaf.values())
    order: list[int] = []
    for depth in range(max(len(queue) for queue in queues)):
        order += [queue[depth] for queue in queues if depth < len(queue)]
    return order


def plan_media(*, seed: int, sizes: Sizes, shop: ShopPlan) -> None:
    """Fill ``shop.images`` / ``shop.videos``: one image per brand, product shots, themed videos."""
    rng = rng_for(seed, "media")
    for index, brand in enumerate(shop.brands):
        key = f"brand-{slugify(brand.name)}"
        shape = next(leaf.shape for leaf in catalog.LEAVES if leaf.path.startswith(brand.sells[0]))
        shop.images.append(
            ImageSpec(
                key, brand.campaign, brand.name, "NEW IN", shape, rng.randrange(len(PALETTES)), rng.getrandbits(32)
            )
        )
        shop.brand_image[index] = key
    for index in _interleaved_by_leaf(shop.products)[: sizes.images - len(shop.brands)]:
        product = shop.products[index]
        key = f"product-{product.external_id}"
        shop.images.append(
            ImageSpec(
                key,
                product.title,
                shop.brands[product.brand].name,
                f"€{product.price}",
                product.leaf.shape,
                rng.randrange(len(PALETTES)),
                rng.getrandbits(32),
            )
        )
        shop.product_image[index] = key
    tops = sorted({product.leaf.top for product in shop.products}, key=catalog.TOPS.index)
    for number in range(sizes.videos):
        top = tops[number % len(tops)]
        headlines = captions.VIDEO_HEADLINES[top]
        leaf = rng.choice([leaf for leaf in catalog.LEAVES if leaf.top == top])
        shop.videos.append(
            VideoSpec(
                key=f"video-{number + 1:02d}",
                top=top,
                title=headlines[(number // len(tops)) % len(headlines)],
                subtitle=top,
                badge=rng.choice(captions.VIDEO_BADGES),
                shape=leaf.shape,
                palette=number % len(PALETTES),
                seed=rng.getrandbits(32),
                duration_ms=rng.choice((2000, 3000, 3000, 4000)),
            )
        )


def plan_shop(*, seed: int, sizes: Sizes) -> ShopPlan:
    brands = list(accounts.BRANDS[: sizes.brands])
    products = plan_products(seed=seed, sizes=sizes, brands=brands)
    tops = sorted({product.leaf.top for product in products}, key=catalog.TOPS.index)
    creators = plan_creators(seed=seed, sizes=sizes, brands=brands, tops=tops)
    shop = ShopPlan(brands=brands, products=products, creators=creators, images=[], videos=[])
    plan_media(seed=seed, sizes=sizes, shop=shop)
    return shop
