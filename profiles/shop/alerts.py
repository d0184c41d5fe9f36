"""Back-in-stock alerts: a signed-in shopper signs up for a sold-out product; a restock marks them due.

Writes (``stock_alert_create``, ``stock_alert_delete``), the read of the product page
(``stock_alert_pending``) and the receiver of ``content.signals.product_changed``
(``stock_alerts_due``). The message is ``profiles.messages``': it reads the due alerts
(``due_at`` set, ``notified_at`` null) and sets ``notified_at`` once sent.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from content.models import Product
from feedsite.errors import ApplicationError, Forbidden
from profiles.models import Shopper
from profiles.shop.models import StockAlert


def stock_alert_pending(*, shopper: Shopper, product: Product) -> bool:
    """Whether ``shopper`` waits to hear about ``product`` (signed up, not yet due). One query, or
    none for a shopper never saved."""
    if shopper.pk is None:
        return False
    return StockAlert.objects.filter(shopper=shopper, product=product, due_at__isnull=True).exists()


def stock_alert_create(*, shopper: Shopper, product: Product) -> StockAlert:
    """Sign ``shopper`` up to hear when ``product`` is back. Idempotent: a pending alert is
    answered as it is; one already due (or sent) starts afresh.

    Refused (``ApplicationError``, nothing stored) for a shopper without an account (a message
    needs somebody to reach: code ``sign_in_required``), and for a product that is in stock or
    not on sale (``in_stock``, ``not_on_sale``).
    """
    if shopper.pk is None or shopper.user_id is None:
        raise Forbidden("Sign in to be told when this product is back.", code="sign_in_required")
    if not product.active:
        raise ApplicationError("This product is no longer on sale.", code="not_on_sale")
    if product.stock > 0:
        raise ApplicationError("This product is in stock: add it to your cart.", code="in_stock")
    with transaction.atomic():
        alert, created = StockAlert.objects.select_for_update().get_or_create(shopper=shopper, product=product)
        if not created and alert.due_at is not None:
            alert.delete()
            alert = StockAlert.objects.create(shopper=shopper, product=product)
    return alert


def stock_alert_delete(*, shopper: Shopper, product: Product) -> bool:
    """Cancel ``shopper``'s alert for ``product``; returns whether there was one (idempotent)."""
    if shopper.pk is None:
        return False
    deleted, _ = StockAlert.objects.filter(shopper=shopper, product=product).delete()
    return deleted > 0


def stock_alerts_due(product_id: int, old_stock: int, old_active: bool = True, **_: object) -> int:
    """``content.signals.product_changed``, after commit: a product that had no stock (``old_stock``
    0) and is in stock now marks its pending alerts due (``due_at``). Returns how many."""
    if old_stock > 0:
        return 0
    if not Product.objects.filter(pk=product_id, active=True, stock__gt=0).exists():
        return 0
    return StockAlert.objects.filter(product_id=product_id, due_at__isnull=True).update(due_at=timezone.now())
