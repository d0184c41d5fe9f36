"""Helpers for segments tests: shoppers whose activity is placed exactly in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from profiles.shop.models import Order
from tests.factories import ContentItemFactory, InteractionFactory, OrderFactory, ShopperFactory

# Noon, so that whole days before it fall on distinct UTC days.
AS_OF = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def days_before(days: float, *, at: datetime = AS_OF) -> datetime:
    return at - timedelta(days=days)


@pytest.fixture
def item():
    return ContentItemFactory()


def active_shopper(item, *, recency_days: float, active_days: int, spend: float = 0.0, shopper=None):
    """A shopper last active ``recency_days`` before ``AS_OF``, on ``active_days`` distinct UTC days
    (one view a day, going back from the last), with one paid order of ``spend`` on their last day."""
    shopper = shopper or ShopperFactory()
    for day in range(active_days):
        InteractionFactory(shopper=shopper, content=item, type="view", occurred_at=days_before(recency_days + day))
    if spend:
        order_at(OrderFactory(shopper=shopper, total=Decimal(str(spend))), days_before(recency_days))
    return shopper


def order_at(order: Order, when: datetime) -> Order:
    """``order`` as if placed at ``when`` (``created_at`` is set on insert)."""
    Order.objects.filter(pk=order.pk).update(created_at=when)
    order.created_at = when
    return order
