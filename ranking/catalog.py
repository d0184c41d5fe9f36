"""An in-process snapshot of what may be served: published items, their attributes, their stock.

Ranking looks up a few hundred candidates per request; asking the database each time cost more
than the ranking itself. The snapshot is rebuilt at most every ``TTL_SECONDS`` per process, so an
item removed, sold out or of a creator just blocked is filtered within that time. A withdrawn item
(hidden, removed, of a blocked creator) leaves it at once in the process that withdrew it and in
every process holding feed sockets (``withdraw``, called by ``ranking.push.items_withdrawn`` and
the hub); cards are re-read from the database when a page is built, which drops anything no longer
served at once, and the page is filled up with other items (``ranking.feed.feed_page``).

The snapshot also holds the content index of recent servable items (``ranking.content_index``),
rebuilt with it: the "similar" source finds new items in it without asking the database.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import NamedTuple

from django.db import connection

from content import selectors as content_selectors
from content.models import ContentProduct
from feedsite import caches
from ranking import content_index
from ranking.content_index import ContentIndex
from ranking.history import creator_reputations
from ranking.signals import NEUTRAL_REPUTATION as NEUTRAL

logger = logging.getLogger(__name__)

TTL_SECONDS = 30.0
FRESH_SIZE = 30


class ItemInfo(NamedTuple):
    """What ranking needs of a servable item. A named tuple: a snapshot builds one per published
    item (105,000 in a second's rebuild), at half the cost of a frozen dataclass."""

    kind: str
    source: str
    creator: int | None
    brand: int | None
    products: tuple[int, ...] = ()  # in stock and active, in the card's order
    reputation: float = NEUTRAL  # the creator's (``history.creator_reputations``); neutral without one


@dataclass(frozen=True)
class Catalog:
    servable: dict[int, ItemInfo]  # served (content.selectors.published), not a showcase of sold-out products only
    fresh: list[int]  # newest published items, newest first
    built_at: float
    content: ContentIndex  # recent servable items, for content similarity


def _build() -> Catalog:
    published = content_selectors.published()
    linked: set[int] = set()
    stocked: dict[int, list[int]] = {}
    links = ContentProduct.objects.filter(content__in=published).order_by("content_id", "position")
    for content_id, product_id, active, stock in links.values_list(
        "content_id", "product_id", "product__active", "product__stock"
    ):
        linked.add(content_id)
        if active and stock > 0:
            stocked.setdefault(content_id, []).append(product_id)
    # Read raw: the ORM's row conversion cost a rebuild about as much as the query.
    sql, params = published.values_list("pk", "kind", "source", "creator_id", "brand_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    reputation = creator_reputations()
    none: tuple[int, ...] = ()
    servable = {
        pk: ItemInfo(
            kind,
            source,
            creator,
            brand,
            tuple(stocked[pk]) if pk in stocked else none,
            reputation.get(creator, NEUTRAL),
        )
        for pk, kind, source, creator, brand in rows
        if pk in stocked or pk not in linked
    }
    fresh = list(published.order_by("-published_at", "-pk").values_list("pk", flat=True)[:FRESH_SIZE])
    return Catalog(servable=servable, fresh=fresh, built_at=time.monotonic(), content=content_index.build(servable))


_lock = threading.Lock()
_current: list[Catalog] = []
# Bumped by clear_cache: a rebuild that started before is not stored (it may predate the change).
_state = {"generation": 0, "refreshing": False}


def catalog() -> Catalog:
    """The current snapshot, rebuilt when older than ``TTL_SECONDS``.

    Stale while revalidating: a stale snapshot is served while a thread of its own builds the next
    one (over 100k items that takes most of a second), so no request waits for it. Only the very
    first build, and the first after ``clear_cache``, happen in the request.
    """
    current = _current[0] if _current else None
    if current is not None and time.monotonic() - current.built_at < TTL_SECONDS:
        return current
    if current is None:
        with _lock:
            if not _current:
                _current[:] = [_build()]
            return _current[0]
    with _lock:
        if _state["refreshing"]:
            return current
        _state["refreshing"] = True
        generation = _state["generation"]
    threading.Thread(target=_refresh, args=(generation,), name="catalog-refresh", daemon=True).start()
    return current


def _refresh(generation: int) -> None:
    try:
        snapshot = _build()
        with _lock:
            if _state["generation"] == generation:
                _current[:] = [snapshot]
    except Exception:
        logger.exception("rebuilding the catalog snapshot failed; the previous one is served meanwhile")
    finally:
        connection.close()  # this thread's connection goes back to the pool
        with _lock:
            _state["refreshing"] = False


def clear_cache() -> None:
    with _lock:
        _current.clear()
        _state["generation"] += 1


def withdraw(item_ids: Collection[int]) -> None:
    """Stop serving ``item_ids`` from this process's snapshot now, without rebuilding it.

    A rebuild started before is not stored (it may have read the items as published). Readers
    holding the previous snapshot finish with it: the snapshot is replaced, never changed in place.
    """
    gone = set(item_ids)
    with _lock:
        _state["generation"] += 1
        current = _current[0] if _current else None
        if current is None or not (gone & current.servable.keys() or gone & set(current.fresh)):
            return
        _current[:] = [
            replace(
                current,
                servable={pk: info for pk, info in current.servable.items() if pk not in gone},
                fresh=[pk for pk in current.fresh if pk not in gone],
            )
        ]


caches.register("ranking.catalog", clear_cache)
