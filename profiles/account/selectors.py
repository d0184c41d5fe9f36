"""Reads of the account pages: each list is the shopper's own, newest first, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from content.models import ContentItem, Creator
from content.selectors import creators_servable, published
from profiles.models import Shopper
from profiles.shop.models import Order, OrderLine


def orders_of(*, shopper: Shopper, limit: int) -> list[Order]:
    """The shopper's ``limit`` latest orders with their lines; 2 queries."""
    rows: QuerySet[Order] = Order.objects.filter(shopper=shopper).order_by("-created_at", "-pk")
    rows = rows.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))
    return list(rows[:limit])


def liked_posts(*, shopper: Shopper, limit: int) -> list[ContentItem]:
    """The ``limit`` posts the shopper liked last that are still served (``published()``), the
    latest like first; 1 query."""
    rows = published().filter(likes__shopper=shopper).select_related("creator")
    return list(rows.order_by("-likes__created_at", "-pk")[:limit])


def followed_creators(*, shopper: Shopper, limit: int) -> list[Creator]:
    """The ``limit`` creators the shopper followed last whose page is shown (``creators_servable()``);
    1 query."""
    rows = creators_servable().filter(followers__shopper=shopper)
    return list(rows.order_by("-followers__created_at", "-pk")[:limit])
