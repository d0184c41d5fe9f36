"""Shopping in the feed, in a browser: cart drawer, sign-in at checkout, a (simulated) paid order."""

from decimal import Decimal

import pytest

from content.models import Product
from profiles.events.models import Interaction
from profiles.models import Shopper
from profiles.shop.models import CartLine, Order
from ranking.models import FeedRequest
from tests.factories import UserFactory
from tests.web.conftest import deliver_events, drain, open_feed, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_from_card(page, item_id):
    with page.expect_response("**/api/v1/cart/lines"):
        page.locator(f"article.card[data-id='{item_id}'] [data-action='add']").click()


def check_out_as(page, user):
    page.wait_for_url("**/signin?next=/checkout")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/checkout")


def test_add_to_cart_in_the_feed_and_check_out(phone_page, shop):
    world = shop(3)
    item, product = world.items[0], world.products[0]
    open_feed(phone_page)

    add_from_card(phone_page, item.pk)
    assert phone_page.locator("[data-cart-count]").inner_text() == "1"
    phone_page.locator("[data-cart-open]").click()
    drawer = phone_page.locator("#cart-drawer")
    with phone_page.expect_response(f"**/api/v1/cart/lines/{product.pk}"):
        drawer.get_by_role("button", name="One more").click()
    assert drawer.locator(".stepper output").inner_text() == "2"
    assert drawer.locator("[data-cart-subtotal]").inner_text() == "€39.80"
    screenshot(phone_page, "cart-drawer")
    deliver_events(phone_page)
    drain()  # the visitor's events are stored before the sign-in moves them to the account
    drawer.get_by_role("link", name="Check out").click()
    user = UserFactory(first_name="Ada", last_name="Lovelace")
    check_out_as(phone_page, user)
    screenshot(phone_page, "checkout")
    phone_page.fill("#id_shipping_address", "1 Analytical Way, London")
    phone_page.get_by_role("button", name="Pay €39.80 (simulated)").click()
    phone_page.wait_for_url("**/orders/FS-*")
    drain()

    shopper = Shopper.objects.get(user=user)
    order = Order.objects.get()
    line = order.lines.get()
    assert phone_page.get_by_role("heading", name=f"Order {order.number}").is_visible()
    assert phone_page.get_by_text("Payment simulated").is_visible()
    assert (order.shopper, order.total, order.shipping_name) == (shopper, Decimal("39.80"), "Ada Lovelace")
    assert (line.product, line.title, line.unit_price, line.quantity, line.content) == (
        product,
        product.title,
        Decimal("19.90"),
        2,
        item,
    )
    assert Product.objects.get(pk=product.pk).stock == 3
    assert not CartLine.objects.exists()
    assert phone_page.locator("[data-cart-count]").is_hidden()
    first_page = FeedRequest.objects.get(shopper__merged_into=shopper, page=0)
    purchase = Interaction.objects.get(type="purchase")
    assert (purchase.shopper, purchase.content, purchase.product, purchase.value) == (shopper, item, product, 2.0)
    assert (purchase.request_id, purchase.position) == (str(first_page.request_id), 0)
    # Tracked by the page and recorded by the cart API under one event id: stored once.
    add = Interaction.objects.get(type="add_to_cart")
    assert (add.shopper, add.content, add.product, add.event_id[:2]) == (shopper, item, product, "w-")
    screenshot(phone_page, "order")


def test_checkout_refuses_what_sold_out_meanwhile_and_changes_nothing(desktop_page, shop):
    world = shop(2)
    item, product = world.items[1], world.products[1]
    open_feed(desktop_page)
    add_from_card(desktop_page, item.pk)
    desktop_page.goto("/checkout")
    check_out_as(desktop_page, UserFactory())
    Product.objects.filter(pk=product.pk).update(stock=0)  # somebody else bought the last ones

    desktop_page.fill("#id_shipping_name", "Ada Lovelace")
    desktop_page.fill("#id_shipping_address", "1 Analytical Way, London")
    desktop_page.get_by_role("button", name="Pay €19.90 (simulated)").click()

    alert = desktop_page.locator(".alert")
    alert.wait_for()
    assert (
        alert.inner_text()
        == f"Not enough stock for {product.title}. Change the quantity or remove it; nothing was charged."
    )
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=product.pk).stock == 0
    assert list(CartLine.objects.values_list("product_id", "quantity")) == [(product.pk, 1)]
    screenshot(desktop_page, "checkout-refused")
