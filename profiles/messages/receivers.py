"""The receiver of ``content.signals.product_changed`` (after commit): a restock or a lower price
queues the task that makes the messages."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from content.models import Product
from profiles.messages import tasks


def product_changed(
    product_id: int, old_price: Decimal | None, old_stock: int, old_active: bool = True, **_: object
) -> None:
    product = Product.objects.filter(pk=product_id).values("price", "stock", "active").first()
    if product is None or not product["active"]:
        return
    if old_stock <= 0 and product["stock"] > 0:
        transaction.on_commit(lambda: tasks.back_in_stock.delay(product_id))
    if old_price is not None and product["price"] is not None and product["price"] < old_price:
        transaction.on_commit(lambda: tasks.price_drop.delay(product_id, str(old_price)))
