from decimal import Decimal

import pytest

from feedsite.errors import ApplicationError
from profiles.events.consumer import EventConsumer
from profiles.events.models import Interaction
from profiles.shop.cart import CardOrigin, cart_line_add, cart_line_remove, cart_line_set, cart_merge, cart_summary
from profiles.shop.models import CartLine
from tests.factories import CartLineFactory, ContentItemFactory, ProductFactory, ShopperFactory

pytestmark = pytest.mark.django_db


def lines(shopper):
    return list(CartLine.objects.filter(cart__shopper=shopper).values_list("product_id", "quantity"))


def test_adding_twice_keeps_one_line_with_both_quantities():
    shopper, product = ShopperFactory(), ProductFactory(stock=5)

    cart_line_add(shopper=shopper, product=product)
    cart_line_add(shopper=shopper, product=product, quantity=2)

    assert lines(shopper) == [(product.pk, 3)]


@pytest.mark.parametrize(
    ("product_kwargs", "have", "add", "code"),
    [
        ({"stock": 0}, 0, 1, "out_of_stock"),
        ({"stock": 3, "active": False}, 0, 1, "out_of_stock"),
        ({"stock": 3}, 2, 2, "not_enough_stock"),
        ({"stock": 50}, 8, 3, "quantity_too_large"),
        ({"stock": 3, "price": None}, 0, 1, "not_for_sale"),
    ],
)
def test_an_add_the_shop_cannot_sell_is_refused_and_changes_nothing(product_kwargs, have, add, code):
    shopper, product = ShopperFactory(), ProductFactory(**product_kwargs)
    if have:
        CartLineFactory(cart__shopper=shopper, product=product, quantity=have)
    before = lines(shopper)

    with pytest.raises(ApplicationError) as refused:
        cart_line_add(shopper=shopper, product=product, quantity=add)

    assert refused.value.code == code
    assert lines(shopper) == before


def test_a_full_cart_takes_no_new_product(settings):
    settings.CART_MAX_LINES = 2
    shopper = ShopperFactory()
    for _ in range(2):
        CartLineFactory(cart__shopper=shopper)
    before = lines(shopper)

    with pytest.raises(ApplicationError) as refused:
        cart_line_add(shopper=shopper, product=ProductFactory())

    assert refused.value.code == "cart_full"
    assert lines(shopper) == before


@pytest.mark.parametrize(("quantity", "expected"), [(3, 3), (1, 1)])
def test_setting_a_quantity_within_stock(quantity, expected):
    line = CartLineFactory(quantity=2, product=ProductFactory(stock=3))

    cart_line_set(shopper=line.cart.shopper, product=line.product, quantity=quantity)

    assert lines(line.cart.shopper) == [(line.product_id, expected)]


def test_setting_zero_removes_the_line():
    line = CartLineFactory()

    assert cart_line_set(shopper=line.cart.shopper, product=line.product, quantity=0) is None
    assert lines(line.cart.shopper) == []


def test_raising_a_quantity_above_the_stock_is_refused():
    line = CartLineFactory(quantity=2, product=ProductFactory(stock=2))

    with pytest.raises(ApplicationError) as refused:
        cart_line_set(shopper=line.cart.shopper, product=line.product, quantity=3)

    assert refused.value.code == "not_enough_stock"
    assert lines(line.cart.shopper) == [(line.product_id, 2)]


def test_removing_a_product_that_is_not_there_says_so():
    line = CartLineFactory()

    assert cart_line_remove(shopper=line.cart.shopper, product=ProductFactory()) is False
    assert cart_line_remove(shopper=line.cart.shopper, product=line.product) is True
    assert lines(line.cart.shopper) == []


def test_merge_moves_lines_and_adds_up_a_product_in_both_carts_within_the_cap(settings):
    settings.CART_LINE_MAX_QUANTITY = 4
    visitor, user = ShopperFactory(user=None), ShopperFactory()
    both, only_visitor, only_user = ProductFactory(), ProductFactory(), ProductFactory()
    CartLineFactory(cart__shopper=visitor, product=both, quantity=3)
    CartLineFactory(cart__shopper=visitor, product=only_visitor, quantity=1)
    CartLineFactory(cart__shopper=user, product=both, quantity=2)
    CartLineFactory(cart__shopper=user, product=only_user, quantity=1)

    cart_merge(source=visitor, target=user)

    assert sorted(lines(user)) == sorted([(both.pk, 4), (only_visitor.pk, 1), (only_user.pk, 1)])
    assert lines(visitor) == []


def test_summary_totals_and_flags_lines_short_of_stock():
    shopper = ShopperFactory()
    CartLineFactory(cart__shopper=shopper, product=ProductFactory(price=Decimal("10.00"), stock=5), quantity=2)
    CartLineFactory(cart__shopper=shopper, product=ProductFactory(price=Decimal("4.50"), stock=1), quantity=3)

    cart = cart_summary(shopper=shopper)

    assert (cart.count, cart.subtotal, cart.currency, cart.can_check_out) == (5, Decimal("33.50"), "EUR", False)
    assert [line.available for line in cart.lines] == [True, False]
    assert cart.as_dict()["lines"][0]["line_total"] == "20.00"


def test_an_add_records_one_add_to_cart_event_under_the_trackers_id(django_capture_on_commit_callbacks):
    shopper = ShopperFactory()
    product = ProductFactory()
    item = ContentItemFactory(products=[product])
    origin = CardOrigin(content=item, request_id="req-1", position=4, event_id="w-add-0001", session_id="s-1")

    with django_capture_on_commit_callbacks(execute=True):
        cart_line_add(shopper=shopper, product=product, origin=origin)
    # The page's tracker sends the same event: a duplicate, stored once.
    with django_capture_on_commit_callbacks(execute=True):
        cart_line_add(shopper=shopper, product=product, origin=origin)
    EventConsumer(name="t", block_ms=0).drain()

    (event,) = Interaction.objects.filter(type="add_to_cart")
    assert (event.event_id, event.shopper, event.content, event.product) == ("w-add-0001", shopper, item, product)
    assert (event.request_id, event.position, event.session_id, event.value) == ("req-1", 4, "s-1", 1.0)
    line = CartLine.objects.get()
    assert (line.quantity, line.content, line.request_id, line.position) == (2, item, "req-1", 4)


def test_an_add_from_a_product_page_credits_an_item_showing_the_product(django_capture_on_commit_callbacks):
    shopper, product = ShopperFactory(), ProductFactory()
    item = ContentItemFactory(products=[product])

    with django_capture_on_commit_callbacks(execute=True):
        cart_line_add(shopper=shopper, product=product)
    EventConsumer(name="t", block_ms=0).drain()

    event = Interaction.objects.get()
    assert CartLine.objects.get().content == item
    assert (event.type, event.content, event.product) == ("add_to_cart", item, product)
    assert event.event_id.startswith("add_to_cart:")  # made by the server (no tracker id came)


def test_a_shopper_who_refused_personalization_gets_the_line_but_no_event(django_capture_on_commit_callbacks):
    shopper = ShopperFactory(personalization=False)
    product = ProductFactory()
    ContentItemFactory(products=[product])

    with django_capture_on_commit_callbacks(execute=True):
        cart_line_add(shopper=shopper, product=product)
    EventConsumer(name="t", block_ms=0).drain()

    assert lines(shopper) == [(product.pk, 1)]
    assert Interaction.objects.count() == 0
