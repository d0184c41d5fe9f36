"""What makes messages: an idle cart (scanned periodically), a restock, a price drop.

Each returns the ids of the messages it made (new ones only: each trigger has a dedupe key, so a
run repeated makes nothing new), for the task to queue their emails.

Consent: a shopper who refused personalization gets no message derived from watching what they
do (an idle cart, a price drop on a post they liked); a back-in-stock alert they asked for and a
price drop on what is in their own cart reach them all the same (``docs/messages.md``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Greatest
from django.utils import timezone

from content.models import Product
from content.templatetags.shop import money
from profiles.messages.models import MessageKind
from profiles.messages.services import message_create
from profiles.models import Like, Shopper
from profiles.shop.models import Cart, CartLine, Order, StockAlert

# Who can read a message: not a dataset's imported shopper, nor a visitor merged into an account
# (their cart and likes moved there).
REACHABLE = Q(external_id__isnull=True, merged_into__isnull=True)

# An idle cart older than this (past the delay) is not reminded of: the first scan after this
# feature is switched on must not write to every shopper who ever left a cart.
ABANDONED_CART_LOOKBACK = timedelta(days=3)


def abandoned_carts(*, now: datetime) -> QuerySet[Cart]:
    """Carts with lines, last changed between ``MESSAGES_ABANDONED_CART_HOURS`` and that plus
    ``ABANDONED_CART_LOOKBACK`` ago, whose shopper placed no order since and consents to personalization."""
    cutoff = now - timedelta(hours=settings.MESSAGES_ABANDONED_CART_HOURS)
    lines = CartLine.objects.filter(cart=OuterRef("pk"))
    last_line_change = Subquery(lines.order_by("-updated_at").values("updated_at")[:1])
    ordered_since = Order.objects.filter(shopper=OuterRef("shopper"), created_at__gte=OuterRef("last_change"))
    return (
        Cart.objects.filter(Exists(lines), shopper__personalization=True, shopper__external_id__isnull=True)
        .filter(shopper__merged_into__isnull=True)
        .annotate(last_change=Greatest("updated_at", last_line_change))
        .filter(last_change__lte=cutoff, last_change__gt=cutoff - ABANDONED_CART_LOOKBACK)
        .exclude(Exists(ordered_since))
        .select_related("shopper")
        .order_by("pk")
    )


def abandoned_cart_messages(*, now: datetime | None = None) -> list[int]:
    """One reminder per idle cart and per last change (a cart changed again is a new episode)."""
    made = []
    for cart in abandoned_carts(now=now or timezone.now()):
        lines = list(cart.lines.select_related("product").order_by("added_at", "pk"))
        if not lines:
            continue  # emptied since the scan's query
        titles = [line.product.title for line in lines]
        count = sum(line.quantity for line in lines)
        listed = ", ".join(titles[:3]) + (f" and {len(titles) - 3} more" if len(titles) > 3 else "")
        message, created = message_create(
            shopper=cart.shopper,
            kind=MessageKind.ABANDONED_CART,
            subject=f"Still thinking it over? {count} item{'s' if count != 1 else ''} wait in your cart",
            body=f"You left {listed} in your cart. They are still there for you when you are ready.",
            dedupe_key=f"abandoned_cart:{cart.pk}:{int(cart.last_change.timestamp())}",  # type: ignore[attr-defined]
            product=lines[0].product,
            cart=cart,
        )
        if created:
            made.append(message.pk)
    return made


def back_in_stock_messages(*, product_id: int) -> list[int]:
    """A message for each alert of ``product_id`` that is due and not yet sent, which it marks sent
    (``notified_at``). Nothing while the product is not for sale: the alerts wait for the next restock."""
    product = Product.objects.filter(pk=product_id, active=True, stock__gt=0).first()
    if product is None:
        return []
    made = []
    pending = StockAlert.objects.filter(product=product, due_at__isnull=False, notified_at__isnull=True)
    for alert_id in pending.values_list("pk", flat=True):
        with transaction.atomic():
            alert = (
                StockAlert.objects.select_for_update(skip_locked=True)
                .select_related("shopper")
                .filter(pk=alert_id, notified_at__isnull=True)
                .first()
            )
            if alert is None:
                continue  # sent by a concurrent run
            message, created = message_create(
                shopper=alert.shopper,
                kind=MessageKind.BACK_IN_STOCK,
                subject=f"Back in stock: {product.title}",
                body=f"{product.title} is back in stock at {money(product.price, product.currency)}. "
                "You asked us to tell you; it may not last long.",
                dedupe_key=f"back_in_stock:{alert.pk}",
                product=product,
            )
            alert.notified_at = timezone.now()
            alert.save(update_fields=["notified_at"])
        if created:
            made.append(message.pk)
    return made


def back_in_stock_pending() -> list[int]:
    """Products with alerts due and not sent (a restock whose task was lost): the scan's safety net."""
    return list(
        StockAlert.objects.filter(due_at__isnull=False, notified_at__isnull=True)
        .values_list("product_id", flat=True)
        .distinct()
        .order_by("product_id")
    )


def price_drop_shoppers(product: Product) -> QuerySet[Shopper]:
    """Who hears of a price drop of ``product``: shoppers with it in their cart, and those who
    liked a post showing it and consent to personalization (``REACHABLE`` ones)."""
    in_cart = CartLine.objects.filter(cart__shopper=OuterRef("pk"), product=product)
    liked = Like.objects.filter(shopper=OuterRef("pk"), content__product_links__product=product)
    wants = Q(Exists(in_cart)) | Q(Exists(liked), personalization=True)
    return Shopper.objects.filter(REACHABLE, wants).order_by("pk")


def price_drop_messages(*, product_id: int, old_price: Decimal) -> list[int]:
    """A message to each of ``price_drop_shoppers`` when ``product_id`` (on sale, in stock) now costs
    less than ``old_price``; one per shopper and new price."""
    product = Product.objects.filter(pk=product_id, active=True, stock__gt=0).first()
    if product is None or product.price is None or product.price >= old_price:
        return []
    now_costs, was = money(product.price, product.currency), money(old_price, product.currency)
    made = []
    for shopper in price_drop_shoppers(product).iterator(chunk_size=500):
        message, created = message_create(
            shopper=shopper,
            kind=MessageKind.PRICE_DROP,
            subject=f"Price drop: {product.title} is now {now_costs}",
            body=f"{product.title} went down from {was} to {now_costs}.",
            dedupe_key=f"price_drop:{product.pk}:{shopper.pk}:{product.price}",
            product=product,
        )
        if created:
            made.append(message.pk)
    return made
