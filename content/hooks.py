"""What content tells the apps above it, and what they add to it, without importing them
(content → profiles → ranking / moderation).

An app registers callbacks once, from its ``AppConfig.ready()``. The services call
``content_published`` and ``product_changed``; each callback runs after the surrounding
transaction commits (``transaction.on_commit(robust=True)``): a rolled-back write announces
nothing, and a callback that raises is logged without failing the write that already committed.

``restrict_servable`` is the other direction: a condition an item must also meet to reach a
shopper (moderation's creator standing), applied by ``content.selectors.published``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.db.models.expressions import BaseExpression

# item id
PublishedCallback = Callable[[int], object]
# product id, price before, stock before
ProductCallback = Callable[[int, Decimal | None, int], object]

# A filter on ContentItem (a ``Q`` or a boolean expression such as ``~Exists(...)``), built per query
# so that it can read settings at the time of the query.
ServableCondition = Callable[[], Q | BaseExpression]

_published: list[PublishedCallback] = []
_product_changed: list[ProductCallback] = []
_servable: list[ServableCondition] = []


def on_content_published(callback: PublishedCallback) -> PublishedCallback:
    """Register ``callback(item_id)`` (idempotent). Usable as a decorator."""
    if callback not in _published:
        _published.append(callback)
    return callback


def on_product_changed(callback: ProductCallback) -> ProductCallback:
    """Register ``callback(product_id, old_price, old_stock)`` (idempotent). Usable as a decorator."""
    if callback not in _product_changed:
        _product_changed.append(callback)
    return callback


def restrict_servable(condition: ServableCondition) -> ServableCondition:
    """Register ``condition()``: published items that fail it are never served (idempotent).

    It must add no query of its own (a join or a subquery of the same query): the feed path has a
    tested query count.
    """
    if condition not in _servable:
        _servable.append(condition)
    return condition


def servable_conditions() -> list[Q | BaseExpression]:
    return [condition() for condition in _servable]


def content_published(item_id: int) -> None:
    for callback in _published:
        transaction.on_commit(functools.partial(callback, item_id), robust=True)


def product_changed(
    product_id: int, *, old_price: Decimal | None, old_stock: int, price: Decimal | None, stock: int
) -> None:
    """Announce a change of price or stock; does nothing when neither changed (a catalog resync)."""
    if old_price == price and old_stock == stock:
        return
    for callback in _product_changed:
        transaction.on_commit(functools.partial(callback, product_id, old_price, old_stock), robust=True)
