"""Checkout: the cart becomes an order, stock goes down, purchases become events.

Payment is simulated: no payment provider is called and ``Order.payment_reference`` says so.
"""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal

from django.db import transaction

from content.models import Product
from content.services import product_stock_take
from feedsite.errors import ApplicationError
from profiles.events.server import events_record_server
from profiles.models import Shopper
from profiles.shop.models import Cart, CartLine, Order, OrderLine

logger = logging.getLogger(__name__)

# Unambiguous when read aloud or typed from an email: no 0/O, 1/I.
_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# 32^8 ≈ 10^12 numbers: a collision among millions of orders is a one-in-a-million retry.
_NUMBER_LENGTH = 8


def order_number() -> str:
    return "FS-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(_NUMBER_LENGTH))


def _purchase_events(order: Order, lines: list[tuple[OrderLine, CartLine]]) -> list[dict[str, object]]:
    events: list[dict[str, object]] = []
    for order_line, cart_line in lines:
        if order_line.content_id is None:
            continue  # no card shows this product: no item to credit
        event: dict[str, object] = {
            # Deterministic: recording the order's events again changes nothing.
            "event_id": f"purchase:{order.number}:{order_line.pk}",
            "type": "purchase",
            "item": order_line.content_id,
            "product": order_line.product_id,
            "value": order_line.quantity,
        }
        if cart_line.request_id:
            event["request_id"] = cart_line.request_id
        if cart_line.position is not None:
            event["position"] = cart_line.position
        events.append(event)
    return events


def _record_purchases(shopper: Shopper, events: list[dict[str, object]]) -> None:
    if not events:
        return
    result = events_record_server(shopper=shopper, events=events)
    if result.rejected:
        logger.warning("purchase events not recorded: %s", result.rejected)


@transaction.atomic
def order_place(*, shopper: Shopper, shipping_name: str, shipping_address: str) -> Order:
    """Turn the shopper's cart into a paid (simulated) order; returns it.

    Locks the cart row, then takes the stock (``content.services.product_stock_take``: the products
    locked in id order, so two checkouts of the last unit cannot both succeed). Every line must be
    in stock in its quantity, with a price, in one currency; otherwise raises ``ApplicationError``
    (``out_of_stock`` with the products in ``extra``, ``cart_empty``, ``mixed_currencies``) and
    nothing changes. On success: stock decremented, one ``OrderLine`` per line with the title and
    price of now, the cart emptied, and a ``purchase`` event per line recorded after commit.
    """
    if not shipping_name.strip() or not shipping_address.strip():
        raise ApplicationError("A name and an address are needed to ship the order.", code="shipping_missing")
    cart_lines = _cart_lock(shopper)
    products = _stock_take(cart_lines)
    order, placed = _order_write(
        shopper, cart_lines, products, shipping_name=shipping_name, shipping_address=shipping_address
    )
    _purchases_record_on_commit(shopper, _purchase_events(order, placed))
    CartLine.objects.filter(pk__in=[line.pk for line in cart_lines]).delete()
    return order


def _cart_lock(shopper: Shopper) -> list[CartLine]:
    """The lines of the shopper's cart, oldest first, with the cart row locked; refuses an empty cart."""
    cart = Cart.objects.select_for_update().filter(shopper=shopper).first()
    cart_lines = list(CartLine.objects.filter(cart=cart).order_by("added_at", "pk")) if cart else []
    if not cart_lines:
        raise ApplicationError("Your cart is empty.", code="cart_empty")
    return cart_lines


def _stock_take(cart_lines: list[CartLine]) -> dict[int, Product]:
    """Take every line's quantity from stock (content's service); refuses a cart of several currencies."""
    products = product_stock_take(quantities={line.product_id: line.quantity for line in cart_lines})
    currencies = {product.currency for product in products.values()}
    if len(currencies) > 1:
        # The stock taken above goes back with the rollback this raise causes.
        raise ApplicationError(
            "Your cart mixes currencies; check out one currency at a time.",
            code="mixed_currencies",
            extra={"currencies": sorted(currencies)},
        )
    return products


def _order_write(
    shopper: Shopper,
    cart_lines: list[CartLine],
    products: dict[int, Product],
    *,
    shipping_name: str,
    shipping_address: str,
) -> tuple[Order, list[tuple[OrderLine, CartLine]]]:
    """The order, and its lines at today's titles and prices each with the cart line it comes from."""
    (currency,) = {product.currency for product in products.values()}
    order = Order.objects.create(
        number=order_number(),
        shopper=shopper,
        currency=currency,
        total=sum((products[line.product_id].price or Decimal(0)) * line.quantity for line in cart_lines),
        shipping_name=shipping_name.strip(),
        shipping_address=shipping_address.strip(),
        payment_reference=f"SIMULATED-{secrets.token_hex(6).upper()}",
    )
    placed: list[tuple[OrderLine, CartLine]] = []
    for line in cart_lines:
        product = products[line.product_id]
        order_line = OrderLine.objects.create(
            order=order,
            product=product,
            content_id=line.content_id,
            title=product.title,
            unit_price=product.price or Decimal(0),
            quantity=line.quantity,
        )
        placed.append((order_line, line))
    return order, placed


def _purchases_record_on_commit(shopper: Shopper, events: list[dict[str, object]]) -> None:
    transaction.on_commit(lambda: _record_purchases(shopper, events))
