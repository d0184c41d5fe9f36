"""The cart: services that change it (add, set a quantity, remove, merge at sign-in) and the read
that shows it (``cart_summary``), shared by the drawer's JSON API and the ``/cart`` page.

Adding to the cart is also a learning signal: ``cart_line_add`` records an ``add_to_cart`` event
through the event pipeline after the line is committed. The browser passes the ``event_id`` it
made for the same action, so the event counts once even when the tracker sends it too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from content.models import ContentItem, Product
from content.selectors import published
from feedsite.errors import ApplicationError
from profiles.events.server import events_record_server
from profiles.models import Shopper
from profiles.shop.models import Cart, CartLine, Order

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardOrigin:
    """The feed card an action came from, and the tracker's id for the action (all optional)."""

    content: ContentItem | None = None
    request_id: str = ""
    position: int | None = None
    event_id: str = ""
    session_id: str = ""
    context: dict[str, Any] | None = None


def _check_available(product: Product, quantity: int) -> None:
    if not product.in_stock:
        raise ApplicationError(f"{product.title} is out of stock.", code="out_of_stock", extra={"product": product.pk})
    if quantity > product.stock:
        raise ApplicationError(
            f"Only {product.stock} of {product.title} left.",
            code="not_enough_stock",
            extra={"product": product.pk, "available": product.stock},
        )
    if quantity > settings.CART_LINE_MAX_QUANTITY:
        raise ApplicationError(
            f"At most {settings.CART_LINE_MAX_QUANTITY} of one product per order.",
            code="quantity_too_large",
            extra={"product": product.pk, "max": settings.CART_LINE_MAX_QUANTITY},
        )
    if product.price is None:
        raise ApplicationError(f"{product.title} has no price yet.", code="not_for_sale", extra={"product": product.pk})


def item_featuring(product: Product) -> ContentItem | None:
    """A published item showing ``product``: what a cart event credits when no card is known."""
    return published().filter(product_links__product=product).order_by("-engagement", "-pk").first()


def _record_add_to_cart(
    *, shopper: Shopper, product: Product, quantity: int, item: ContentItem | None, origin: CardOrigin
) -> None:
    if item is None:
        return  # an event is about a content item; a product no card shows has none to credit
    event: dict[str, Any] = {"type": "add_to_cart", "item": item.pk, "product": product.pk, "value": quantity}
    optional = {
        "event_id": origin.event_id,
        "request_id": origin.request_id,
        "session_id": origin.session_id,
        "position": origin.position,
        "context": origin.context,
    }
    event |= {key: value for key, value in optional.items() if value not in (None, "", {})}
    result = events_record_server(shopper=shopper, events=[event])
    if result.rejected:
        logger.warning("add_to_cart event not recorded: %s", result.rejected)


@transaction.atomic
def cart_line_add(
    *, shopper: Shopper, product: Product, quantity: int = 1, origin: CardOrigin | None = None
) -> CartLine:
    """Put ``quantity`` more of ``product`` in the shopper's cart; returns the line.

    Refuses (``ApplicationError``, nothing changed) a product out of stock, without a price, or a
    line above the stock or ``CART_LINE_MAX_QUANTITY``. Records an ``add_to_cart`` event after commit.
    """
    origin = origin or CardOrigin()
    if quantity < 1:
        raise ApplicationError("Add at least one.", code="invalid_quantity")
    cart, _ = Cart.objects.get_or_create(shopper=shopper)
    line = CartLine.objects.select_for_update().filter(cart=cart, product=product).first()
    if line is None and cart.lines.count() >= settings.CART_MAX_LINES:
        raise ApplicationError(
            f"A cart holds at most {settings.CART_MAX_LINES} products.",
            code="cart_full",
            extra={"max": settings.CART_MAX_LINES},
        )
    _check_available(product, quantity + (line.quantity if line else 0))
    if line is None:
        line = CartLine.objects.create(
            cart=cart,
            product=product,
            quantity=quantity,
            # Added from a product page: the line credits (and shows) an item featuring the product.
            content=origin.content or item_featuring(product),
            request_id=origin.request_id,
            position=origin.position,
        )
    else:
        line.quantity += quantity
        line.save(update_fields=["quantity", "updated_at"])
    cart.save(update_fields=["updated_at"])
    item = origin.content or line.content
    transaction.on_commit(
        lambda: _record_add_to_cart(shopper=shopper, product=product, quantity=quantity, item=item, origin=origin)
    )
    return line


@transaction.atomic
def cart_line_set(*, shopper: Shopper, product: Product, quantity: int) -> CartLine | None:
    """Set the quantity of a product already in the cart; 0 removes the line (returns None).

    Raising a quantity is checked against the stock like an add; lowering it never is.
    """
    line = CartLine.objects.select_for_update().filter(cart__shopper=shopper, product=product).first()
    if line is None:
        raise ApplicationError(f"{product.title} is not in your cart.", code="not_in_cart")
    if quantity < 0:
        raise ApplicationError("A quantity cannot be negative.", code="invalid_quantity")
    if quantity == 0:
        line.delete()
        return None
    if quantity > line.quantity:
        _check_available(product, quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity", "updated_at"])
    return line


def cart_line_remove(*, shopper: Shopper, product: Product) -> bool:
    """Take the product out of the cart; False when it was not there."""
    deleted, _ = CartLine.objects.filter(cart__shopper=shopper, product=product).delete()
    return deleted > 0


def shop_merge(sender: object, *, source: Shopper, target: Shopper, **kwargs: object) -> None:
    """``profiles.signals.shopper_merged``: the visitor's orders and cart lines move to the account."""
    Order.objects.filter(shopper=source).update(shopper=target)
    cart_merge(source=source, target=target)


def cart_merge(*, source: Shopper, target: Shopper) -> None:
    """Sign-in: move the visitor's cart lines into the user's cart (in the caller's transaction).

    A product in both carts keeps one line with the quantities added, capped at
    ``CART_LINE_MAX_QUANTITY`` (stock is checked again at checkout).
    """
    lines = list(CartLine.objects.filter(cart__shopper=source))
    if not lines:
        return
    cart, _ = Cart.objects.get_or_create(shopper=target)
    have = {line.product_id: line for line in CartLine.objects.filter(cart=cart)}
    for line in lines:
        kept = have.get(line.product_id)
        if kept is None:
            line.cart = cart
            line.save(update_fields=["cart", "updated_at"])
        else:
            kept.quantity = min(kept.quantity + line.quantity, settings.CART_LINE_MAX_QUANTITY)
            kept.save(update_fields=["quantity", "updated_at"])
            line.delete()
    Cart.objects.filter(shopper=source).delete()


# ---- reads -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CartLineView:
    product_id: int
    title: str
    price: Decimal | None
    currency: str
    stock: int
    in_stock: bool
    quantity: int
    thumbnail: str
    content_id: int | None

    @property
    def line_total(self) -> Decimal:
        return (self.price or Decimal(0)) * self.quantity

    @property
    def available(self) -> bool:
        """Whether checkout can sell this line as it stands."""
        return self.in_stock and self.price is not None and self.quantity <= self.stock


@dataclass(frozen=True)
class CartView:
    lines: list[CartLineView]

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    @property
    def currency(self) -> str:
        return self.lines[0].currency if self.lines else "EUR"

    @property
    def can_check_out(self) -> bool:
        return bool(self.lines) and all(line.available for line in self.lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "subtotal": str(self.subtotal),
            "currency": self.currency,
            "can_check_out": self.can_check_out,
            "lines": [
                {
                    "product": {
                        "id": line.product_id,
                        "title": line.title,
                        "price": None if line.price is None else str(line.price),
                        "currency": line.currency,
                        "in_stock": line.in_stock,
                        "stock": line.stock,
                        "url": f"/p/{line.product_id}",
                    },
                    "quantity": line.quantity,
                    "line_total": str(line.line_total),
                    "available": line.available,
                    "thumbnail": line.thumbnail,
                    "item": line.content_id,
                }
                for line in self.lines
            ],
        }


def _thumbnail(content: ContentItem | None) -> str:
    if content is None:
        return ""
    name = content.poster.name or (content.media.name if content.kind != ContentItem.Kind.VIDEO else "")
    return content.poster.storage.url(name) if name else ""


def cart_summary(*, shopper: Shopper) -> CartView:
    """The shopper's cart as the drawer and the cart page show it; one query (none for a visitor
    not stored yet: ``profiles.services.shopper_for_request``)."""
    if shopper.pk is None:
        return CartView(lines=[])
    lines = (
        CartLine.objects.filter(cart__shopper=shopper).select_related("product", "content").order_by("added_at", "pk")
    )
    return CartView(
        lines=[
            CartLineView(
                product_id=line.product_id,
                title=line.product.title,
                price=line.product.price,
                currency=line.product.currency,
                stock=line.product.stock,
                in_stock=line.product.in_stock,
                quantity=line.quantity,
                thumbnail=_thumbnail(line.content),
                content_id=line.content_id,
            )
            for line in lines
        ]
    )
