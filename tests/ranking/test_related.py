"""Related products of the product page: the model's neighbours, the catalog fallback, co-purchase."""

from datetime import UTC, datetime

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import ContentItem
from profiles.events.models import InteractionType
from profiles.shop.models import Order
from ranking import related
from ranking.history import NOT_COUNTED, History, ItemFacts
from ranking.world import World
from tests.factories import (
    BrandFactory,
    ContentItemFactory,
    InteractionFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ShopperFactory,
)

pytestmark = pytest.mark.django_db

PURCHASE = InteractionType.PURCHASE
EVENING = datetime(2026, 3, 2, 20, tzinfo=UTC).timestamp()


def world_of(baskets: list[list[ContentItem]], *, also: list[ContentItem] = ()) -> World:
    """A world fitted on shoppers who each liked the posts of one basket (``also``: known, unliked)."""
    items = sorted({item.pk for basket in baskets for item in basket} | {item.pk for item in also})
    index = {pk: n for n, pk in enumerate(items)}
    events = [(u, index[item.pk]) for u, basket in enumerate(baskets) for item in basket]
    u, i = (np.array(column) for column in zip(*events, strict=True))
    n = len(events)
    return World.fit(
        History(
            u=u.astype(np.int32),
            i=i.astype(np.int32),
            t=np.full(n, EVENING),
            r=np.full(n, np.nan, np.float32),
            g=np.full(n, 2, np.int8),
            k=np.full(n, NOT_COUNTED, np.int8),
            d=np.zeros(n, np.int8),
            shoppers=np.arange(len(baskets)) + 100,
            items=np.array(items),
            item_cat=np.zeros(len(items), np.int32),
            n_cat=1,
            facts=ItemFacts.empty(len(items)),
            shopper_index={100 + s: s for s in range(len(baskets))},
            item_index=index,
        )
    )


def ids(tiles):
    return [tile.product.pk for tile in tiles]


def bought(shopper, *products, status=Order.Status.PAID):
    order = OrderFactory(shopper=shopper, status=status)
    for product in products:
        OrderLineFactory(order=order, product=product)


def test_pairs_well_with_ranks_the_products_of_the_posts_liked_with_this_ones():
    page, serum, mask, cream, unrelated = ProductFactory.create_batch(5)
    withdrawn = ProductFactory(active=False)
    post = ContentItemFactory(products=[page])
    with_serum = ContentItemFactory(products=[serum])
    with_mask_and_cream = ContentItemFactory(products=[mask, cream, withdrawn])
    elsewhere = ContentItemFactory(products=[unrelated])
    # four shoppers liked the page's post with the serum's, two with the mask and cream's
    world = world_of([[post, with_serum]] * 4 + [[post, with_mask_and_cream]] * 2 + [[elsewhere, with_serum]] * 2)

    found = related.related_products(page, world=world, limit=4)

    assert found.heading == "Pairs well with"
    assert ids(found.similar) == [serum.pk, mask.pk, cream.pk]  # one post, one weight: lower id first
    assert unrelated.pk not in ids(found.similar)  # its post was never liked with the page's
    assert found.also_bought == []


def test_the_catalog_fallback_proposes_the_same_category_then_the_same_brand_in_stock_first():
    brand = BrandFactory()
    page = ProductFactory(brand=brand, category_path="Beauty > Skin > Serum")
    same_both = ProductFactory(brand=brand, category_path="Beauty > Skin > Serum", title="B")
    same_category_sold_out = ProductFactory(category_path="Beauty > Skin > Serum", title="A", stock=0)
    same_category = ProductFactory(category_path="Beauty > Skin > Serum", title="C")
    same_brand = ProductFactory(brand=brand, category_path="Home", title="A")
    ProductFactory(brand=brand, category_path="Beauty > Skin > Serum", active=False)  # not on sale
    ProductFactory(category_path="Beauty > Skin")  # another category, another brand

    found = related.related_products(page, world=None, limit=4)

    assert found.heading == "Similar"
    assert ids(found.similar) == [same_both.pk, same_category.pk, same_category_sold_out.pk, same_brand.pk]


def test_a_product_without_category_or_brand_has_no_similar_section():
    page = ProductFactory(category_path="")
    ProductFactory(category_path="")

    found = related.related_products(page, world=None, limit=4)

    assert (found.similar, found.also_bought) == ([], [])


def test_a_world_that_knows_none_of_the_products_posts_falls_back_on_the_catalog():
    page = ProductFactory(category_path="Home")
    neighbour = ProductFactory(category_path="Home")
    ContentItemFactory(products=[page])
    others = ContentItemFactory.create_batch(2)
    world = world_of([others] * 3)

    found = related.related_products(page, world=world, limit=4)

    assert (found.heading, ids(found.similar)) == ("Similar", [neighbour.pk])


def test_shoppers_also_bought_counts_each_buyer_once_across_orders_and_purchase_events():
    page, popular, once, sold_out, withdrawn, by_stranger = ProductFactory.create_batch(6)
    sold_out.stock = 0
    sold_out.save()
    withdrawn.active = False
    withdrawn.save()
    ann, bob, cy, stranger = ShopperFactory.create_batch(4)
    bought(ann, page, popular)
    bought(ann, popular, sold_out)  # Ann's second order of it: still one buyer
    bought(bob, page)
    bought(bob, popular, withdrawn)
    # Cy bought the page's product through a post (a purchase event, no order), and bought "once" so too
    post = ContentItemFactory(products=[page])
    for product, kind in ((page, PURCHASE), (once, PURCHASE), (sold_out, InteractionType.ADD_TO_CART)):
        InteractionFactory(shopper=cy, content=post, product=product, type=kind, occurred_at=datetime.now(UTC))
    bought(cy, sold_out)
    bought(stranger, by_stranger, popular)
    bought(stranger, page, status=Order.Status.CANCELLED)  # a cancelled order makes nobody a buyer

    found = related.related_products(page, world=None, limit=4)

    assert ids(found.also_bought) == [popular.pk, sold_out.pk, once.pk]
    assert [tile.product.in_stock for tile in found.also_bought] == [True, False, True]


def test_a_product_in_both_sections_is_shown_under_also_bought_only():
    page = ProductFactory(category_path="Home")
    both, similar_only = ProductFactory.create_batch(2, category_path="Home")
    bought(ShopperFactory(), page, both)

    found = related.related_products(page, world=None, limit=4)

    assert (ids(found.similar), ids(found.also_bought)) == ([similar_only.pk], [both.pk])


def test_tiles_carry_the_still_of_the_products_most_engaging_published_post():
    page = ProductFactory(category_path="Home")
    shown = ProductFactory(category_path="Home")
    ContentItemFactory(products=[shown], engagement=3, poster="posters/low.jpg")
    ContentItemFactory(products=[shown], engagement=9, poster="posters/best.jpg")
    ContentItemFactory(products=[shown], engagement=50, poster="posters/draft.jpg", status=ContentItem.Status.DRAFT)

    found = related.related_products(page, world=None, limit=4)

    assert found.similar[0].thumbnail.endswith("posters/best.jpg")


@pytest.mark.parametrize("with_world", [False, True])
def test_the_query_count_does_not_grow_with_products_posts_or_buyers(with_world):
    def page_with(n):
        page = ProductFactory(category_path=f"Cat {n}")
        post = ContentItemFactory(products=[page])
        neighbours = [ProductFactory(category_path=f"Cat {n}") for _ in range(n)]
        posts = [ContentItemFactory(products=[product], poster="p.jpg") for product in neighbours]
        for product in neighbours:
            bought(ShopperFactory(), page, product)
        return page, world_of([[post, other] for other in posts] * 2)

    counts = []
    for n in (1, 6):
        page, world = page_with(n)
        with CaptureQueriesContext(connection) as queries:
            related.related_products(page, world=world if with_world else None, limit=4)
        counts.append(len(queries))

    # co-purchase, neighbours (anchors + their products) or the catalog, the products, the stills
    assert counts == ([5, 5] if with_world else [4, 4])
