from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

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
