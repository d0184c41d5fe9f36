import threading
from decimal import Decimal

import pytest
from django.db import connections

from content.models import Product
from feedsite.errors import ApplicationError
from profiles.events.consumer import EventConsumer
from profiles.events.models import Interaction
from profiles.shop.checkout import order_place
from profiles.shop.models import CartLine, Order, OrderLine
from tests.factories import CartLineFactory, ProductFactory, ShopperFactory

pytestmark = pytest.mark.django_db


def place(shopper):
    return order_place(shopper=shopper, shipping_name="Ada Lovelace", shipping_address="1 Analytical Way")


def state(shopper):
    """Everything checkout may change."""
    return (
        list(Product.objects.order_by("pk").values_list("pk", "stock")),
        list(CartLine.objects.filter(cart__shopper=shopper).order_by("pk").values_list("product_id", "quantity")),
        Order.objects.count(),
        OrderLine.objects.count(),
    )


def test_an_order_snapshots_prices_takes_the_stock_and_empties_the_cart(django_capture_on_commit_callbacks):
    shopper = ShopperFactory()
    serum = CartLineFactory(cart__shopper=shopper, product=ProductFactory(price=Decimal("12.50"), stock=4), quantity=3)
    mask = CartLineFactory(cart__shopper=shopper, product=ProductFactory(price=Decimal("5.00"), stock=1), quantity=1)
    serum.request_id, serum.position = "req-7", 2
    serum.save()

    with django_capture_on_commit_callbacks(execute=True):
        order = place(shopper)
    Product.objects.filter(pk=serum.product_id).update(price=Decimal("99.00"), title="Renamed")

    order.refresh_from_db()
    assert (order.total, order.currency, order.status) == (Decimal("42.50"), "EUR", Order.Status.PAID)
    assert order.payment_reference.startswith("SIMULATED-")
    assert order.number.startswith("FS-")
    assert [(line.title, line.unit_price, line.quantity, line.content_id) for line in order.lines.all()] == [
        (serum.product.title, Decimal("12.50"), 3, serum.content_id),
        (mask.product.title, Decimal("5.00"), 1, mask.content_id),
    ]
    assert dict(Product.objects.values_list("pk", "stock")) == {serum.product_id: 1, mask.product_id: 0}
    assert not CartLine.objects.filter(cart__shopper=shopper).exists()


def test_each_line_becomes_a_purchase_event_of_the_card_it_came_from(django_capture_on_commit_callbacks):
    shopper = ShopperFactory()
    line = CartLineFactory(cart__shopper=shopper, quantity=2, request_id="req-9", position=5)

    with django_capture_on_commit_callbacks(execute=True):
        order = place(shopper)
    EventConsumer(name="t", block_ms=0).drain()

    (event,) = Interaction.objects.all()
    order_line = order.lines.get()
    assert event.event_id == f"purchase:{order.number}:{order_line.pk}"
    assert (event.type, event.shopper, event.content_id, event.product_id) == (
        "purchase",
        shopper,
        line.content_id,
        line.product_id,
    )
    assert (event.value, event.request_id, event.position) == (2.0, "req-9", 5)


@pytest.mark.parametrize(
    ("product_kwargs", "quantity"),
    [({"stock": 0}, 1), ({"stock": 2}, 3), ({"stock": 5, "active": False}, 1), ({"stock": 5, "price": None}, 1)],
)
def test_a_line_the_shop_cannot_sell_refuses_the_whole_order_and_changes_nothing(product_kwargs, quantity):
    shopper = ShopperFactory()
    CartLineFactory(cart__shopper=shopper, product=ProductFactory(stock=5), quantity=1)
    short = CartLineFactory(cart__shopper=shopper, product=ProductFactory(**product_kwargs), quantity=quantity)
    before = state(shopper)

    with pytest.raises(ApplicationError) as refused:
        place(shopper)

    assert refused.value.code == "out_of_stock"
    assert refused.value.message == (
        f"Not enough stock for {short.product.title}. Change the quantity or remove it; nothing was charged."
    )
    assert [p["id"] for p in refused.value.extra["products"]] == [short.product_id]
    assert state(shopper) == before


@pytest.mark.parametrize(
    ("setup", "code"),
    [("empty", "cart_empty"), ("mixed", "mixed_currencies"), ("no_address", "shipping_missing")],
)
def test_other_refusals_change_nothing(setup, code):
    shopper = ShopperFactory()
    if setup == "mixed":
        CartLineFactory(cart__shopper=shopper)
        CartLineFactory(cart__shopper=shopper, product=ProductFactory(currency="USD"))
    if setup == "no_address":
        CartLineFactory(cart__shopper=shopper)
    before = state(shopper)

    with pytest.raises(ApplicationError) as refused:
        order_place(shopper=shopper, shipping_name="Ada", shipping_address="  " if setup == "no_address" else "x")

    assert refused.value.code == code
    assert state(shopper) == before


@pytest.mark.postgresql_only  # row locks (select_for_update) are a PostgreSQL matter; SQLite serializes every write
@pytest.mark.django_db(transaction=True)
def test_two_checkouts_of_the_last_unit_sell_it_once():
    product = ProductFactory(stock=1)
    shoppers = [ShopperFactory() for _ in range(2)]
    for shopper in shoppers:
        CartLineFactory(cart__shopper=shopper, product=product)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def buy(shopper):
        start.wait()
        try:
            place(shopper)
            outcomes.append("ordered")
        except ApplicationError as refused:
            outcomes.append(refused.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy, args=(shopper,)) for shopper in shoppers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ordered", "out_of_stock"]
    assert Product.objects.get(pk=product.pk).stock == 0
    assert Order.objects.count() == 1
