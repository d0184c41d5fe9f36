from decimal import Decimal

import pytest
from django.test import Client

from tests.factories import BrandFactory, ContentItemFactory, ProductFactory

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


def test_a_sold_out_product_cannot_be_added():
    product = ProductFactory(stock=0)

    body = Client().get(f"/p/{product.pk}").content.decode()

    assert "Out of stock" in body
    assert "Sold out</button>" in body


def test_a_product_no_longer_sold_is_not_found():
    product = ProductFactory(active=False)

    assert Client().get(f"/p/{product.pk}").status_code == 404
