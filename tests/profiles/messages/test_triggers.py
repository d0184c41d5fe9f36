"""Each trigger of a message: an idle cart, a restock, a price drop; once per trigger; consent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from profiles.messages import tasks
from profiles.messages.models import Message, MessageKind
from profiles.models import Shopper
from profiles.shop.models import Cart, CartLine, StockAlert
from tests.factories import (
    CartLineFactory,
    ContentItemFactory,
    LikeFactory,
    OrderFactory,
    ProductFactory,
    ShopperFactory,
    StockAlertFactory,
)
from tests.profiles.messages.conftest import messages, product_set, sent_to

pytestmark = pytest.mark.django_db

CART, STOCK, DROP = MessageKind.ABANDONED_CART, MessageKind.BACK_IN_STOCK, MessageKind.PRICE_DROP


def idle_cart(hours: float, shopper: Shopper | None = None) -> Cart:
    """A cart of one line whose last change was ``hours`` ago."""
    line = CartLineFactory(**({"cart__shopper": shopper} if shopper else {}))
    then = timezone.now() - timedelta(hours=hours)
    Cart.objects.filter(pk=line.cart_id).update(updated_at=then)
    CartLine.objects.filter(pk=line.pk).update(updated_at=then, added_at=then)
    return line.cart


# Abandoned cart


def test_a_cart_idle_past_the_delay_gets_one_reminder_in_the_inbox_and_by_email(settings, committed):
    settings.MESSAGES_ABANDONED_CART_HOURS = 4
    cart = idle_cart(5)
    line = cart.lines.get()

    with committed():
        result = tasks.messages_scan()

    assert result == {"abandoned_cart": 1, "back_in_stock": 0}
    message = Message.objects.get()
    assert (message.shopper_id, message.kind, message.cart_id, message.product_id) == (
        cart.shopper_id,
        CART,
        cart.pk,
        line.product_id,
    )
    assert message.subject == "Still thinking it over? 1 item wait in your cart"
    assert (
        message.body == f"You left {line.product.title} in your cart. They are still there for you when you are ready."
    )
    assert sent_to() == [cart.shopper.user.email]
    assert message.emailed_at is not None


def test_a_cart_changed_within_the_delay_gets_nothing(settings):
    settings.MESSAGES_ABANDONED_CART_HOURS = 4
    idle_cart(3.5)

    assert tasks.messages_scan() == {"abandoned_cart": 0, "back_in_stock": 0}
    assert (messages(), sent_to()) == ([], [])


def test_a_cart_idle_for_days_before_the_lookback_is_not_reminded(settings):
    settings.MESSAGES_ABANDONED_CART_HOURS = 4
    idle_cart(4 + 24 * 3 + 1)

    tasks.messages_scan()

    assert messages() == []


def test_an_order_placed_after_the_last_change_means_no_reminder(settings):
    settings.MESSAGES_ABANDONED_CART_HOURS = 4
    cart = idle_cart(6)
    OrderFactory(shopper=cart.shopper)
    earlier_order_cart = idle_cart(6)
    order = OrderFactory(shopper=earlier_order_cart.shopper)
    type(order).objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=7))

    tasks.messages_scan()

    assert messages() == [(earlier_order_cart.shopper_id, CART, earlier_order_cart.lines.get().product_id)]


def test_an_empty_cart_gets_nothing(settings):
    settings.MESSAGES_ABANDONED_CART_HOURS = 4
    cart = idle_cart(6)
    cart.lines.all().delete()

    tasks.messages_scan()

    assert messages() == []


def test_scanning_again_makes_no_second_reminder_but_a_new_change_starts_a_new_episode(settings, committed):
    settings.MESSAGES_ABANDONED_CART_HOURS = 4
    cart = idle_cart(6)
    with committed():
        tasks.messages_scan()
        tasks.messages_scan()
    assert Message.objects.count() == 1

    CartLine.objects.filter(cart=cart).update(updated_at=timezone.now() - timedelta(hours=5))
    with committed():
        tasks.messages_scan()

    assert [m.kind for m in Message.objects.all()] == [CART, CART]
    assert len(sent_to()) == 2


def test_a_shopper_who_refused_personalization_gets_no_cart_reminder(settings):
    settings.MESSAGES_ABANDONED_CART_HOURS = 4
    idle_cart(6, shopper=ShopperFactory(personalization=False))

    tasks.messages_scan()

    assert (messages(), sent_to()) == ([], [])


def test_a_visitors_idle_cart_is_reminded_in_the_inbox_only(settings, committed):
    settings.MESSAGES_ABANDONED_CART_HOURS = 4
    visitor = ShopperFactory(user=None)
    idle_cart(6, shopper=visitor)

    with committed():
        tasks.messages_scan()

    assert [row[:2] for row in messages()] == [(visitor.pk, CART)]
    assert sent_to() == []


# Back in stock


def test_a_restock_sends_each_waiting_shopper_one_message_and_marks_the_alert_sent(committed):
    product = ProductFactory(stock=0, title="Glow serum", price=Decimal("24.00"))
    waiting = StockAlertFactory.create_batch(2, product=product)
    elsewhere = StockAlertFactory()

    with committed():
        product_set(product, stock=5)

    assert sorted(messages()) == sorted((a.shopper_id, STOCK, product.pk) for a in waiting)
    message = Message.objects.filter(shopper=waiting[0].shopper).get()
    assert message.subject == "Back in stock: Glow serum"
    assert message.body == "Glow serum is back in stock at €24.00. You asked us to tell you; it may not last long."
    assert sorted(sent_to()) == sorted(a.shopper.user.email for a in waiting)
    assert StockAlert.objects.filter(product=product, notified_at__isnull=False).count() == 2
    assert StockAlert.objects.get(pk=elsewhere.pk).notified_at is None


def test_a_stock_change_that_is_no_restock_sends_nothing(committed):
    product = ProductFactory(stock=3)
    StockAlertFactory(product=product, due_at=None)

    with committed():
        product_set(product, stock=8)

    assert (messages(), sent_to()) == ([], [])


def test_a_restock_handled_twice_sends_once(committed):
    alert = StockAlertFactory()
    with committed():
        product_set(alert.product, stock=5)

    assert tasks.back_in_stock(alert.product_id) == 0
    assert tasks.messages_scan() == {"abandoned_cart": 0, "back_in_stock": 0}
    assert (len(messages()), len(sent_to())) == (1, 1)


def test_the_scan_sends_due_alerts_whose_restock_task_was_lost():
    alert = StockAlertFactory()
    type(alert.product).objects.filter(pk=alert.product_id).update(stock=4)
    StockAlert.objects.filter(pk=alert.pk).update(due_at=timezone.now())

    assert tasks.messages_scan() == {"abandoned_cart": 0, "back_in_stock": 1}
    assert messages() == [(alert.shopper_id, STOCK, alert.product_id)]


def test_due_alerts_of_a_product_sold_out_again_wait_for_the_next_restock():
    alert = StockAlertFactory()
    StockAlert.objects.filter(pk=alert.pk).update(due_at=timezone.now())

    assert tasks.back_in_stock(alert.product_id) == 0
    assert messages() == []
    assert StockAlert.objects.get(pk=alert.pk).notified_at is None


# Price drop


def test_a_price_drop_reaches_shoppers_with_the_product_in_their_cart_and_those_who_liked_it(committed):
    product = ProductFactory(price=Decimal("30.00"), title="Silk scarf")
    in_cart = CartLineFactory(product=product).cart.shopper
    liker = LikeFactory(content=ContentItemFactory(products=[product])).shopper
    bystander = CartLineFactory().cart.shopper  # another product in the cart
    LikeFactory(shopper=bystander)

    with committed():
        product_set(product, price=Decimal("22.50"))

    assert sorted(messages()) == sorted([(in_cart.pk, DROP, product.pk), (liker.pk, DROP, product.pk)])
    message = Message.objects.filter(shopper=liker).get()
    assert message.subject == "Price drop: Silk scarf is now €22.50"
    assert message.body == "Silk scarf went down from €30.00 to €22.50."
    assert sorted(sent_to()) == sorted([in_cart.user.email, liker.user.email])


def test_a_price_rise_sends_nothing(committed):
    product = ProductFactory(price=Decimal("30.00"))
    CartLineFactory(product=product)

    with committed():
        product_set(product, price=Decimal("35.00"))

    assert (messages(), sent_to()) == ([], [])


def test_a_price_drop_on_a_sold_out_product_sends_nothing(committed):
    product = ProductFactory(price=Decimal("30.00"), stock=0)
    CartLineFactory(product=product)

    with committed():
        product_set(product, price=Decimal("20.00"))

    assert messages() == []


def test_a_liker_who_refused_personalization_hears_nothing_but_the_cart_holder_does(committed):
    product = ProductFactory(price=Decimal("30.00"))
    refusing = ShopperFactory(personalization=False)
    LikeFactory(shopper=refusing, content=ContentItemFactory(products=[product]))
    CartLineFactory(product=product, cart__shopper=refusing)  # their own cart still counts
    liker_only = ShopperFactory(personalization=False)
    LikeFactory(shopper=liker_only, content=ContentItemFactory(products=[product]))

    with committed():
        product_set(product, price=Decimal("25.00"))

    assert messages() == [(refusing.pk, DROP, product.pk)]


def test_the_same_drop_handled_twice_makes_one_message_per_shopper(committed):
    product = ProductFactory(price=Decimal("30.00"))
    shopper = CartLineFactory(product=product).cart.shopper
    with committed():
        product_set(product, price=Decimal("25.00"))

    assert tasks.price_drop(product.pk, "30.00") == 0
    assert messages() == [(shopper.pk, DROP, product.pk)]
    assert len(sent_to()) == 1


def test_a_shopper_in_both_the_cart_and_the_likes_gets_one_message(committed):
    product = ProductFactory(price=Decimal("30.00"))
    shopper = CartLineFactory(product=product).cart.shopper
    LikeFactory(shopper=shopper, content=ContentItemFactory(products=[product]))

    with committed():
        product_set(product, price=Decimal("25.00"))

    assert messages() == [(shopper.pk, DROP, product.pk)]


def test_a_datasets_imported_shopper_gets_no_price_drop_nor_cart_reminder(settings, committed):
    settings.MESSAGES_ABANDONED_CART_HOURS = 4
    product = ProductFactory(price=Decimal("30.00"))
    imported = ShopperFactory(user=None, external_id="u-17")
    LikeFactory(shopper=imported, content=ContentItemFactory(products=[product]))
    idle_cart(6, shopper=imported)

    with committed():
        product_set(product, price=Decimal("25.00"))
        tasks.messages_scan()

    assert messages() == []
