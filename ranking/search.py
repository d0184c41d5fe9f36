"""Search results for one shopper: ``content.search``'s matches, personalized, a page at a time.

Personalization multiplies a match's text score by a bounded factor from the shopper's affinities
and search intent (``state.shopper_affinities`` + ``state.shopper_intent``) on the labels the match
carries (brand, creator, tags): ``1 + 0.5·tanh(s/4)`` for a positive sum ``s`` (at most ×1.5) and
``1 + 0.25·tanh(s/4)`` for a negative one (at least ×0.75). Text relevance stays first: a weak
match the shopper likes cannot pass a much better one. Without consent, nothing personal counts.

The cursor is the offset into this order, signed with the query it belongs to; a page is
recomputed from the query each time (bounded by ``content.search.PER_TYPE`` per type).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse

from content.models import Creator, Product, Tag
from content.search import Hit, clean_query, search_hits
from content.selectors import items_for_cards, media_thumbnail
from feedsite import realtime
from feedsite.errors import ApplicationError
from profiles.events import state
from profiles.models import Shopper
from ranking.related import thumbnails

PAGE_SIZE = 20
_SALT = "ranking.search.cursor"


@dataclass(frozen=True)
class SearchPage:
    query: str
    results: list[dict[str, Any]]
    next_cursor: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.query, "results": self.results, "next_cursor": self.next_cursor}


def personal_factor(dims: tuple[str, ...], taste: dict[str, float]) -> float:
    """The factor a match's score is multiplied by (module docstring): in [0.75, 1.5]."""
    s = sum(taste.get(dim, 0.0) for dim in dims)
    return 1.0 + (0.5 if s > 0 else 0.25) * math.tanh(s / 4.0)


def shopper_taste(shopper: Shopper) -> dict[str, float]:
    """The shopper's affinities plus their search intent; empty without consent or the store."""
    if not shopper.personalization or shopper.pk is None:
        return {}
    try:
        taste = state.shopper_affinities(shopper.pk)
        for dim, value in state.shopper_intent(shopper.pk).items():
            taste[dim] = taste.get(dim, 0.0) + value
    except realtime.RealtimeUnavailable:
        return {}
    return taste


def ranked_hits(query: str, shopper: Shopper) -> list[Hit]:
    """Every match of ``query``, personalized for ``shopper``, best first."""
    taste = shopper_taste(shopper)
    hits = search_hits(query)
    if not taste:
        return hits
    order = {h: n for n, h in enumerate(hits)}
    return sorted(hits, key=lambda h: (-h.score * personal_factor(h.dims, taste), order[h]))


def _cursor_offset(query: str, cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        data = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature as error:
        raise ApplicationError("The cursor is not valid.", code="invalid_cursor") from error
    if not isinstance(data, dict) or data.get("q") != query or not isinstance(data.get("o"), int):
        raise ApplicationError("The cursor belongs to another search.", code="invalid_cursor")
    return max(data["o"], 0)


def search_page(
    *, raw_query: str | None, shopper: Shopper, cursor: str | None = None, size: int = PAGE_SIZE
) -> SearchPage:
    """A page of ``shopper``'s results for ``raw_query``; ``ApplicationError`` for a bad query or cursor."""
    query = clean_query(raw_query)
    offset = _cursor_offset(query, cursor)
    hits = ranked_hits(query, shopper)
    page = hits[offset : offset + size]
    more = offset + size < len(hits)
    next_cursor = signing.dumps({"q": query, "o": offset + size}, salt=_SALT) if more else None
    return SearchPage(query, results_of(page), next_cursor)


def results_of(hits: list[Hit]) -> list[dict[str, Any]]:
    """The result cards of ``hits``, in their order; one query per type present, plus one for the
    products' stills (``thumbnail``: the still of a product's most engaging post, or a post's own
    still; "" when there is none)."""
    ids: dict[str, list[int]] = {"product": [], "post": [], "creator": [], "tag": []}
    for hit in hits:
        ids[hit.type].append(hit.pk)
    cards: dict[tuple[str, int], dict[str, Any]] = {}
    stills = thumbnails(ids["product"]) if ids["product"] else {}
    for product in Product.objects.filter(pk__in=ids["product"]).select_related("brand"):
        cards["product", product.pk] = {
            "type": "product",
            "id": product.pk,
            "title": product.title,
            "brand": product.brand.name if product.brand else None,
            "price": None if product.price is None else str(product.price),
            "currency": product.currency,
            "in_stock": product.in_stock,
            "thumbnail": stills.get(product.pk, ""),
            "url": reverse("product", args=[product.pk]),
        }
    for item in items_for_cards(ids["post"]) if ids["post"] else []:
        cards["post", item.pk] = {
            "type": "post",
            "id": item.pk,
            "kind": item.kind,
            "caption": item.caption[:140],
            "creator": item.creator.handle if item.creator else None,
            "poster": item.poster.url if item.poster else None,
            "thumbnail": media_thumbnail(item),
            "url": reverse("card", args=[item.pk]),
        }
    for creator in Creator.objects.filter(pk__in=ids["creator"]):
        cards["creator", creator.pk] = {
            "type": "creator",
            "id": creator.pk,
            "handle": creator.handle,
            "display_name": creator.display_name,
            "verified": creator.verified,
            "avatar": creator.avatar.url if creator.avatar else None,
            "url": f"/@{creator.handle}",
        }
    for tag in Tag.objects.filter(pk__in=ids["tag"]):
        cards["tag", tag.pk] = {
            "type": "tag",
            "id": tag.pk,
            "slug": tag.slug,
            "name": tag.name,
            "kind": tag.kind,
            "url": f"{reverse('search-page')}?{urlencode({'q': tag.name})}",
        }
    return [cards[h.type, h.pk] for h in hits if (h.type, h.pk) in cards]
