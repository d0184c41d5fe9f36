"""What a sync does at once: the feed stops offering a sold-out or withdrawn product, the cart
refuses it, and shoppers with it in their cart get the price-drop and back-in-stock notices that
admin edits send."""

from __future__ import annotations

from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from profiles.shop.cart import cart_line_add
from profiles.shop.models import CartLine
from tests.content.catalog.conftest import row
from tests.factories import ContentItemFactory, ProductFactory, ShopperFactory
from tests.ranking.sockets import run, socket, visitor_headers

pytestmark = pytest.mark.django_db


def offered(client, product_id: int) -> list[bool]:
    """``in_stock`` of ``product_id`` on each card of the next feed page that shows it."""
    cards = client.get("/api/v1/feed").json()["cards"]
    return [p["in_stock"] for card in cards for p in card["products"] if p["id"] == product_id]


@pytest.mark.parametrize(
    ("change", "refusal"),
    [({"stock": 0}, (400, "out_of_stock")), ({"active": False}, (404, "not_found"))],
    ids=["sold-out", "withdrawn"],
)
def test_a_product_synced_out_of_sale_is_not_offered_on_the_very_next_feed_page_nor_added_to_a_cart(
    merchant, api_client, django_capture_on_commit_callbacks, change, refusal
):
    # As row() has it, but for the change: only stock, or only `active`, differs.
    product = ProductFactory(
        external_id="GLOW-1", brand=merchant.brand, title="Glow serum", price=Decimal("24.90"), stock=12
    )
    # A second product keeps the card in the feed (a post with nothing to buy is not served).
    item = ContentItemFactory(products=[product, ProductFactory(title="Night cream")])
    assert offered(api_client, product.pk) == [True]  # the card body is now cached

    with django_capture_on_commit_callbacks(execute=True):
        synced = merchant.client.put("/api/v1/catalog/products/GLOW-1", row(**change), format="json")
    shown = offered(api_client, product.pk)
    browser = Client(enforce_csrf_checks=False)
    added = browser.post(
        "/api/v1/cart/lines", {"product": product.pk, "item": item.pk}, content_type="application/json"
    )

    assert synced.json()["product"]["in_stock"] is False
    assert shown == [False]
    assert (added.status_code, added.json()["error"]["code"]) == refusal
    assert CartLine.objects.count() == 0


@pytest.mark.parametrize(
    ("before", "synced", "kind", "text"),
    [
        pytest.param(
            {"stock": 5}, {"price": "19.90", "stock": 5}, "price_drop", "Glow serum is now 19.90 EUR", id="cheaper"
        ),
        pytest.param(
            {"stock": 0}, {"price": "24.90", "stock": 4}, "back_in_stock", "Glow serum is back in stock", id="restocked"
        ),
        pytest.param(
            {"stock": 5, "active": False},
            {"price": "24.90", "stock": 5, "active": True},
            "back_in_stock",
            "Glow serum is back in stock",
            id="sold-again",
        ),
    ],
)
def test_a_shopper_with_the_product_in_the_cart_gets_the_notice_of_a_synced_change(
    merchant, django_capture_on_commit_callbacks, before, synced, kind, text
):
    product = ProductFactory(
        external_id="GLOW-1", brand=merchant.brand, title="Glow serum", price=Decimal("24.90"), stock=5
    )
    holder, other = ShopperFactory(user=None), ShopperFactory(user=None)
    cart_line_add(shopper=holder, product=product)
    product.__class__.objects.filter(pk=product.pk).update(**before)

    def sync() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return merchant.client.put("/api/v1/catalog/products/GLOW-1", row(**synced), format="json").status_code

    async def scenario():
        async with socket(visitor_headers(holder)) as ws, socket(visitor_headers(other)) as elsewhere:
            status = await sync_to_async(sync)()
            received = await ws.receive_json_from(timeout=5)
            quiet = [await ws.receive_nothing(timeout=0.2), await elsewhere.receive_nothing(timeout=0.1)]
        return status, received, quiet

    status, received, quiet = run(scenario)

    assert status == 200
    assert received == {
        "type": "notice",
        "kind": kind,
        "product": product.pk,
        "title": "Glow serum",
        "price": synced["price"],
        "text": text,
    }
    assert quiet == [True, True]


def test_an_unchanged_sync_sends_no_notice(merchant, django_capture_on_commit_callbacks):
    ProductFactory(external_id="GLOW-1", brand=merchant.brand, title="Glow serum", price=Decimal("24.90"), stock=12)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = merchant.client.put("/api/v1/catalog/products/GLOW-1", row(), format="json")

    assert response.json()["status"] == "unchanged"
    assert callbacks == []
