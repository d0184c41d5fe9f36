"""Serving a feed page: pick the cards, log what was served, hand back a cursor.

    cursor → served so far → ordering (``_ordered_candidates``) → cards → served-list log

The ordering is the replaceable part; the plumbing around it (cursor, served set, log, card
shape) is what every ordering relies on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from itertools import chain, zip_longest
from typing import Any

from django.conf import settings

from content import selectors as content_selectors
from profiles.models import Shopper
from profiles.selectors import seen_content_ids
from ranking import served
from ranking.cards import card
from ranking.cursor import Cursor
from ranking.models import FeedRequest

REASONS = {
    "popular": "Popular right now",
    "fresh": "New in the shop",
}


@dataclass(frozen=True)
class FeedPage:
    request_id: uuid.UUID
    cards: list[dict[str, Any]]
    next_cursor: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"request_id": str(self.request_id), "next_cursor": self.next_cursor, "cards": self.cards}


def _ordered_candidates(*, exclude: set[int], limit: int) -> list[tuple[int, str]]:
    """Popular and fresh published items, interleaved, none of ``exclude``; at most ``limit``."""
    base = content_selectors.published().exclude(pk__in=exclude)
    popular = base.order_by("-engagement", "-published_at", "-id").values_list("pk", flat=True)[:limit]
    fresh = base.order_by("-published_at", "-id").values_list("pk", flat=True)[:limit]
    picked: dict[int, str] = {}
    for pk, reason in chain.from_iterable(
        zip_longest(((p, "popular") for p in popular), ((f, "fresh") for f in fresh), fillvalue=(None, ""))
    ):
        if pk is not None and pk not in picked:
            picked[pk] = reason
    return list(picked.items())[:limit]


def feed_page(*, shopper: Shopper, limit: int, cursor: Cursor | None) -> FeedPage:
    """The next page of ``shopper``'s feed; never a card already served in this feed session."""
    limit = max(1, min(limit, settings.FEED_PAGE_MAX))
    cursor = cursor or Cursor.start()
    exclude = served.served_ids(cursor.feed_session, expect_some=cursor.page > 0)
    exclude |= seen_content_ids(shopper=shopper)
    ranked = _ordered_candidates(exclude=exclude, limit=limit)
    items = content_selectors.items_for_cards([pk for pk, _ in ranked])
    reason_of = dict(ranked)
    cards = [
        card(item, position=position, reason={"code": reason_of[item.pk], "text": REASONS[reason_of[item.pk]]})
        for position, item in enumerate(items)
    ]
    log = FeedRequest.objects.create(
        shopper=shopper,
        feed_session=cursor.feed_session,
        page=cursor.page,
        items=[c["id"] for c in cards],
        reasons=[c["reason"]["code"] for c in cards],
    )
    served.served_add(cursor.feed_session, log.items)
    next_cursor = cursor.next().encode() if len(cards) == limit else None
    return FeedPage(request_id=log.request_id, cards=cards, next_cursor=next_cursor)
