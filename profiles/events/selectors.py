"""Reads of what shoppers did: the content they have seen, whether they engaged yet, and the
counters a card shows (from the database and the real-time store)."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef

from content.models import Comment, ContentProduct, Product
from content.selectors import among, published_sql
from feedsite import realtime
from profiles.events import state
from profiles.events.models import Interaction
from profiles.events.types import PASSIVE_TYPES
from profiles.models import Follow, Interest, Like, Shopper


def seen_content_ids(*, shopper: Shopper) -> set[int]:
    """Content the shopper has interacted with in any way (never served again).

    The stored interactions plus the shopper's recent list in the real-time store, which holds
    events accepted a moment ago that the consumer has not written yet (read-your-writes).
    """
    if shopper.pk is None:  # a visitor not stored yet has seen nothing (profiles.services.shopper_for_request)
        return set()
    seen = set(shopper.interactions.values_list("content_id", flat=True).distinct())
    # With the store down, the database alone is a little behind, never wrong.
    with contextlib.suppress(*realtime.RealtimeUnavailable):
        seen.update(item for item, _, _ in state.shopper_recent(shopper.pk))
    return seen


def cold_start_interest_tag_ids(*, shopper: Shopper) -> list[int]:
    """The tags the shopper picked at onboarding, while they have done nothing beyond watching
    (``PASSIVE_TYPES``); empty afterwards, or without picks. One query (none for a visitor not
    stored yet)."""
    if shopper.pk is None:
        return []
    engaged = Interaction.objects.filter(shopper=OuterRef("shopper")).exclude(type__in=PASSIVE_TYPES)
    return list(
        Interest.objects.filter(shopper=shopper)
        .filter(~Exists(engaged))
        .order_by("pk")
        .values_list("tag_id", flat=True)
    )


@dataclass(frozen=True)
class CardSocial:
    """What a card shows about people: counts, and what this shopper did."""

    likes: int = 0
    comments: int = 0
    shares: int = 0
    liked: bool = False
    following: bool = False
    # How many of the item's products cannot be bought now (inactive or out of stock), read with
    # the page: a card body cached by this process before a change elsewhere is caught by it.
    products_unavailable: int = 0


def cards_social(*, shopper: Shopper, item_ids: Sequence[int]) -> dict[int, CardSocial]:
    """Counts and the shopper's likes and follows for the page's items still served, by item id.

    Items ``content.selectors.published`` no longer serves are left out: the feed drops their
    cards, and this is the one query that tells it (like and visible comment counts, the shopper's
    own like, whether they follow the creator). Plus one real-time round trip for share totals,
    which are events only (0 while the store is down).
    """
    if not item_ids:
        return {}
    # One statement, written out: the same query built with the ORM's Subquery/Exists takes far
    # longer to compile than PostgreSQL takes to run it.
    servable, servable_params = published_sql("id", "creator_id")
    link, product = ContentProduct._meta.db_table, Product._meta.db_table
    ids_condition, ids_params = among(item_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.id,
                   (SELECT count(*) FROM {Like._meta.db_table} l WHERE l.content_id = c.id),
                   (SELECT count(*) FROM {Comment._meta.db_table} m WHERE m.content_id = c.id AND m.status = %s),
                   EXISTS (SELECT 1 FROM {Like._meta.db_table} l WHERE l.content_id = c.id AND l.shopper_id = %s),
                   EXISTS (SELECT 1 FROM {Follow._meta.db_table} f
                           WHERE f.creator_id = c.creator_id AND f.shopper_id = %s),
                   (SELECT count(*) FROM {link} cp JOIN {product} p ON p.id = cp.product_id
                    WHERE cp.content_id = c.id AND NOT (p.active AND p.stock > 0))
            FROM ({servable}) c WHERE c.id {ids_condition}
            """,
            [Comment.Status.VISIBLE, shopper.pk, shopper.pk, *servable_params, *ids_params],
        )
        rows = cursor.fetchall()
    found = {
        pk: (likes, comments, bool(liked), bool(following), unavailable)
        for pk, likes, comments, liked, following, unavailable in rows
    }
    shares: dict[int, float] = {}
    with contextlib.suppress(*realtime.RealtimeUnavailable):
        shares = {item: totals["n:share"] for item, totals in state.item_totals(item_ids, ["n:share"]).items()}
    social = {}
    for pk in item_ids:
        if pk not in found:
            continue
        likes, comments, liked, following, unavailable = found[pk]
        shares_of = max(int(shares.get(pk, 0)), 0)
        social[pk] = CardSocial(
            likes=likes,
            comments=comments,
            shares=shares_of,
            liked=liked,
            following=following,
            products_unavailable=unavailable,
        )
    return social


def item_counts(*, item_ids: Collection[int]) -> dict[int, CardSocial]:
    """The counters a card shows (likes, visible comments, shares), for items by id, nobody's own.

    The live ``counts`` push (``ranking.push``) sends these, so that a card's numbers move the way
    ``cards_social`` first drew them. 2 queries and one real-time round trip (shares 0 while the
    store is down).
    """
    ids = list(item_ids)
    if not ids:
        return {}
    likes = dict(
        Like.objects.filter(content_id__in=ids)
        .values("content_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("content_id", "n")
    )
    comments = dict(
        Comment.objects.filter(content_id__in=ids, status=Comment.Status.VISIBLE)
        .values("content_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("content_id", "n")
    )
    shares: dict[int, float] = {}
    with contextlib.suppress(*realtime.RealtimeUnavailable):
        shares = {item: totals["n:share"] for item, totals in state.item_totals(ids, ["n:share"]).items()}
    return {
        item_id: CardSocial(
            likes=likes.get(item_id, 0),
            comments=comments.get(item_id, 0),
            shares=max(int(shares.get(item_id, 0)), 0),
        )
        for item_id in ids
    }
