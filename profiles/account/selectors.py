"""Reads of the account pages: each list is the shopper's own, newest first, in a fixed number of queries.

Each takes ``offset`` and ``limit`` (a page of the list): the views ask one row more than they show
to know whether there is a next page.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from content.models import ContentItem, Creator
from content.selectors import creators_servable, published
from profiles.models import Shopper
from profiles.shop.models import Order, OrderLine


def orders_of(*, shopper: Shopper, limit: int, offset: int = 0) -> list[Order]:
    """The shopper's orders ``offset`` to ``offset + limit``, latest first, with their lines; 2 queries."""
    rows: QuerySet[Order] = Order.objects.filter(shopper=shopper).order_by("-created_at", "-pk")
    rows = rows.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))
    return list(rows[offset : offset + limit])


def liked_posts(*, shopper: Shopper, limit: int, offset: int = 0) -> list[ContentItem]:
    """The posts the shopper liked that are still served (``published()``), the latest like first,
    ``offset`` to ``offset + limit``; 1 query."""
    rows = published().filter(likes__shopper=shopper).select_related("creator")
    return list(rows.order_by("-likes__created_at", "-pk")[offset : offset + limit])


def followed_creators(*, shopper: Shopper, limit: int, offset: int = 0) -> list[Creator]:
    """The creators the shopper follows whose page is shown (``creators_servable()``), the latest
    follow first, ``offset`` to ``offset + limit``; 1 query."""
    rows = creators_servable().filter(followers__shopper=shopper)
    return list(rows.order_by("-followers__created_at", "-pk")[offset : offset + limit])
