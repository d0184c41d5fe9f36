"""The product page (``ranking.views.product``): the product, its posts, related products, the back-in-stock sign-up."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.models import ContentProduct
from ranking import registry
from ranking.training import ranker_train
from tests.factories import (
    BrandFactory,
    ContentItemFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ShopperFactory,
    StockAlertFactory,
)

pytestmark = pytest.mark.django_db


def test_the_product_page_shows_price_stock_and_the_posts_it_is_in():
    product = ProductFactory(title="Glow serum", price=Decimal("1234.5"), stock=3, brand=BrandFactory(name="Lumen"))
    shown_in = [ContentItemFactory(products=[product], media=f"img/{n}.jpg", engagement=n) for n in range(2)]

    response = Client().get(f"/p/{product.pk}")

    body = response.content.decode()
    assert response.status_code == 200
    assert [entry["item"] for entry in response.context["seen_in"]] == [shown_in[1], shown_in[0]]
    assert response.context["hero"] == "/media/img/1.jpg"
    assert '<h1 id="product-title">Glow serum</h1>' in body
    assert "€1,234.50" in body
    assert "In stock · only 3 left" in body
    assert f'data-item="{shown_in[1].pk}"' in body


@pytest.mark.parametrize(
    ("ends_in_days", "shown"),
    [
        (None, '<del class="muted" aria-label="was">€29.90</del> €24.90 <span class="eyebrow">-17 %</span>'),
        (3, '<del class="muted" aria-label="was">€29.90</del> €24.90 <span class="eyebrow">-17 %</span>'),
        (-1, '<p class="product__price">€24.90</p>'),
    ],
    ids=["open-ended", "running", "ended"],
)
def test_a_promotion_shows_the_struck_through_price_until_it_ends(ends_in_days, shown):
    ends = None if ends_in_days is None else timezone.now() + timedelta(days=ends_in_days)
    product = ProductFactory(
        price=Decimal("24.90"), compare_at_price=Decimal("29.90"), promotion_label="-17 %", promotion_ends_at=ends
    )

    body = Client().get(f"/p/{product.pk}").content.decode()

    assert shown in body
    assert ("<del" in body) is (ends_in_days != -1)


def test_a_sold_out_product_cannot_be_added():
    product = ProductFactory(stock=0)

    body = Client().get(f"/p/{product.pk}").content.decode()

    assert "Out of stock" in body
    assert "Sold out</button>" in body


def test_a_product_no_longer_sold_is_not_found():
    product = ProductFactory(active=False)

    assert Client().get(f"/p/{product.pk}").status_code == 404


def signed_in(shopper):
    client = Client()
    client.force_login(shopper.user)
    return client


def test_related_sections_show_the_products_with_sold_out_ones_marked():
    page = ProductFactory(category_path="Home")
    lamp = ProductFactory(category_path="Home", title="Lamp")
    vase = ProductFactory(category_path="Home", title="Vase", stock=0)
    rug = ProductFactory(title="Rug")
    order = OrderFactory()
    OrderLineFactory(order=order, product=page)
    OrderLineFactory(order=order, product=rug)

    response = Client().get(f"/p/{page.pk}")

    body = response.content.decode()
    assert [tile.product for tile in response.context["related"].similar] == [lamp, vase]
    assert [tile.product for tile in response.context["related"].also_bought] == [rug]
    assert '<h2 id="similar-title">Similar</h2>' in body
    assert '<h2 id="also-bought-title">Shoppers also bought</h2>' in body
    assert body.count('class="related__badge">Sold out</span>') == 1
    assert f'<a href="/p/{vase.pk}">' in body


def test_without_related_products_the_sections_are_hidden():
    page = ProductFactory(category_path="")

    body = Client().get(f"/p/{page.pk}").content.decode()

    assert "data-related" not in body
    assert "Shoppers also bought" not in body


def test_the_page_asks_the_same_number_of_queries_however_many_related_products():
    def queries_for(n):
        page = ProductFactory(category_path=f"Cat {n}")
        for _ in range(n):
            other = ProductFactory(category_path=f"Cat {n}")
            ContentItemFactory(products=[other], poster="p.jpg")
            order = OrderFactory()
            OrderLineFactory(order=order, product=page)
            OrderLineFactory(order=order, product=other)
        registry.clear_cache()
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(f"/p/{page.pk}")
        assert len(response.context["related"].also_bought) == n
        return len(queries)

    assert queries_for(1) == queries_for(4)


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("visitor", "to be told when it's back.", "data-stock-alert-toggle"),
        ("shopper", "Tell me when it's back</button>", "data-pending"),
        ("waiting", "Cancel</button>", "data-stock-alert-status hidden"),
    ],
)
def test_a_sold_out_product_offers_the_back_in_stock_sign_up(who, shown, hidden):
    product = ProductFactory(stock=0)
    shopper = ShopperFactory()
    if who == "waiting":
        StockAlertFactory(shopper=shopper, product=product)
    client = Client() if who == "visitor" else signed_in(shopper)

    body = client.get(f"/p/{product.pk}").content.decode()

    assert shown in body
    assert hidden not in body


def test_a_product_in_stock_has_no_back_in_stock_sign_up():
    shopper = ShopperFactory()
    product = ProductFactory(stock=2)
    StockAlertFactory(shopper=shopper, product=product)  # signed up while it was sold out

    body = signed_in(shopper).get(f"/p/{product.pk}").content.decode()

    assert "data-stock-alert" not in body


def test_with_a_trained_model_the_page_pairs_products_from_posts_the_same_shoppers_like(shop, ranker_storage):
    # each post shows a product of its own; the shoppers of the shop are loyal to one category
    _, items, _ = shop
    products = {c: [ProductFactory() for _ in posts] for c, posts in items.items()}
    for c, posts in items.items():
        for post, product in zip(posts, products[c], strict=True):
            ContentProduct.objects.create(content=post, product=product)
    ranker_train(activate="always", rounds=20)
    registry.clear_cache()
    page = products[0][0]

    related = Client().get(f"/p/{page.pk}").context["related"]

    assert related.heading == "Pairs well with"
    assert len(related.similar) == 4
    assert {tile.product.pk for tile in related.similar} <= {product.pk for product in products[0][1:]}
