"""Related products of the product page: "Pairs well with" (or "Similar") and "Shoppers also bought".

* **Pairs well with**: the active model's item–item cosine neighbours (``World.cosine``: posts the
  same shoppers engage with) of the posts showing the product, mapped back to the products those
  posts show, each weighted by the similarity of the posts that show it.
* **Similar**, the fallback when there is no model or it knows none of the product's posts: the
  same category path, then the same brand.
* **Shoppers also bought**: products bought by the shoppers who bought this one (paid orders and
  ``purchase`` events), counted once per shopper, from the ``BUYERS`` most recent buyers.

Only products on sale (``active``) are proposed, never the product itself, and a product is in one
section only (also bought wins). Sold-out ones stay (the page marks them). ``related_products``
asks a fixed number of queries, whatever the number of products, posts or buyers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Case, Expression, IntegerField, Q, Value, When

from content import selectors as content_selectors
from content.models import ContentProduct, Product
from profiles.events.models import Interaction, InteractionType
from profiles.shop.models import Order, OrderLine
from ranking.registry import active_ranker
from ranking.world import World

# Posts of the product whose neighbours are summed, and neighbour posts read back into products.
ANCHOR_POSTS = 50
NEIGHBOUR_POSTS = 100
# Co-purchase reads the baskets of this many of the product's most recent buyers.
BUYERS = 500

PAIRS_WELL = "Pairs well with"
SIMILAR = "Similar"


@dataclass(frozen=True)
class Tile:
    product: Product
    thumbnail: str  # the still of its most engaging published post ("": none)


@dataclass
class Related:
    """The product page's related sections (an empty one is hidden)."""

    heading: str  # PAIRS_WELL (from the model) or SIMILAR (same category / brand)
    similar: list[Tile] = field(default_factory=list)
    also_bought: list[Tile] = field(default_factory=list)


def active_world() -> World | None:
    """The world fitted with the active model, if there is one that is served."""
    ranker = active_ranker()
    return None if ranker is None else ranker.extra.get("world")


def similar_by_world(world: World, *, product_id: int, limit: int) -> list[int]:
    """Products shown in the posts nearest (``world.cosine``) to the posts showing ``product_id``,
    best first; empty when the world knows none of them. Two queries at most; unavailable
    products are not filtered here."""
    anchors = list(
        ContentProduct.objects.filter(product_id=product_id)
        .order_by("-content__engagement", "-content_id")
        .values_list("content_id", flat=True)[:ANCHOR_POSTS]
    )
    positions = [world.universe_pos[world.item_index[pk]] for pk in anchors if pk in world.item_index]
    positions = [int(pos) for pos in positions if pos >= 0]
    if not positions:
        return []
    weights = np.asarray(world.cosine[positions].sum(axis=0)).ravel()
    weights[positions] = 0.0
    top = np.argsort(-weights, kind="stable")[:NEIGHBOUR_POSTS]
    top = top[weights[top] > 0]
    if not len(top):
        return []
    post_weight = {int(world.items[world.universe[pos]]): float(weights[pos]) for pos in top}
    score: dict[int, float] = defaultdict(float)
    links = ContentProduct.objects.filter(content_id__in=list(post_weight)).exclude(product_id=product_id)
    for content_id, linked in links.values_list("content_id", "product_id"):
        score[linked] += post_weight[content_id]
    return sorted(score, key=lambda pk: (-score[pk], pk))[: limit * 2]


def similar_by_catalog(product: Product, *, limit: int) -> list[Product]:
    """Products on sale in the same category path, then of the same brand, in stock first. One query."""
    same = Q(category_path=product.category_path) if product.category_path else Q()
    if product.brand_id is not None:
        same |= Q(brand_id=product.brand_id)
    if not same:
        return []
    zero = Value(0, output_field=IntegerField())
    category: Expression = zero
    if product.category_path:
        category = Case(When(category_path=product.category_path, then=Value(2)), default=zero)
    brand: Expression = zero
    if product.brand_id is not None:
        brand = Case(When(brand_id=product.brand_id, then=Value(1)), default=zero)
    in_stock = Case(When(stock__gt=0, then=Value(1)), default=Value(0), output_field=IntegerField())
    return list(
        Product.objects.filter(same, active=True)
        .exclude(pk=product.pk)
        .select_related("brand")
        .annotate(match=category + brand, available=in_stock)
        .order_by("-match", "-available", "title", "pk")[:limit]
    )


def also_bought(*, product_id: int, limit: int) -> list[int]:
    """Products on sale bought by the ``BUYERS`` most recent buyers of ``product_id``, most buyers
    first (ties: lower id). One query.

    Buyers of the product are found through paid orders and through ``purchase`` events on the
    posts showing it (the events' index leads with the post), their baskets through the orders and
    the events of those shoppers (index leading with the shopper).
    """
    order, line = Order._meta.db_table, OrderLine._meta.db_table
    event, link, catalog = Interaction._meta.db_table, ContentProduct._meta.db_table, Product._meta.db_table
    paid, purchase = Order.Status.PAID.value, InteractionType.PURCHASE.value
    sql = f"""
        WITH buyers AS (
            SELECT shopper_id FROM (
                SELECT o.shopper_id, o.created_at AS at FROM {order} o JOIN {line} l ON l.order_id = o.id
                WHERE l.product_id = %s AND o.status = %s
                UNION ALL
                SELECT e.shopper_id, e.occurred_at AS at FROM {event} e
                WHERE e.content_id IN (SELECT content_id FROM {link} WHERE product_id = %s)
                  AND e.type = %s AND e.product_id = %s
            ) AS bought_it GROUP BY shopper_id ORDER BY MAX(at) DESC, shopper_id LIMIT %s
        ),
        baskets AS (
            SELECT o.shopper_id, l.product_id FROM {order} o JOIN {line} l ON l.order_id = o.id
            WHERE o.status = %s AND o.shopper_id IN (SELECT shopper_id FROM buyers)
            UNION
            SELECT e.shopper_id, e.product_id FROM {event} e
            WHERE e.type = %s AND e.shopper_id IN (SELECT shopper_id FROM buyers)
        )
        SELECT b.product_id FROM baskets b JOIN {catalog} p ON p.id = b.product_id
        WHERE b.product_id <> %s AND p.active
        GROUP BY b.product_id ORDER BY COUNT(*) DESC, b.product_id LIMIT %s
    """
    params: list[int | str] = [
        product_id,
        paid,
        product_id,
        purchase,
        product_id,
        BUYERS,
        paid,
        purchase,
        product_id,
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def thumbnails(product_ids: list[int]) -> dict[int, str]:
    """Product id → the still of its most engaging published post (products without one are left
    out). One query."""
    found: dict[int, str] = {}
    links = (
        ContentProduct.objects.filter(product_id__in=product_ids, content__in=content_selectors.published())
        .select_related("content")
        .order_by("product_id", "-content__engagement", "-content_id")
    )
    for link in links:
        if link.product_id not in found and (still := content_selectors.media_thumbnail(link.content)):
            found[link.product_id] = still
    return found


def related_products(product: Product, *, world: World | None, limit: int) -> Related:
    """Up to ``limit`` products in each section for ``product``'s page (see the module). At most
    six queries: co-purchase, the model's neighbours (two) or the catalog fallback (one), the
    products (one) and their stills (one)."""
    bought_ids = also_bought(product_id=product.pk, limit=limit)
    ranked = similar_by_world(world, product_id=product.pk, limit=limit) if world is not None else []
    heading = PAIRS_WELL if ranked else SIMILAR
    products: dict[int, Product] = {}
    if ranked or bought_ids:
        wanted = [*bought_ids, *ranked]
        products = {p.pk: p for p in Product.objects.filter(pk__in=wanted, active=True).select_related("brand")}
    if ranked:
        similar = [products[pk] for pk in ranked if pk in products and pk not in bought_ids][:limit]
    else:
        similar = [p for p in similar_by_catalog(product, limit=limit + len(bought_ids)) if p.pk not in bought_ids]
        similar = similar[:limit]
    bought = [products[pk] for pk in bought_ids if pk in products]
    shown = [p.pk for p in [*similar, *bought]]
    stills = thumbnails(shown) if shown else {}
    return Related(
        heading,
        [Tile(p, stills.get(p.pk, "")) for p in similar],
        [Tile(p, stills.get(p.pk, "")) for p in bought],
    )
