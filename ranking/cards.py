"""A content item as the feed API shows it (a plain dict: the feed's hottest path skips DRF serializers).

A card is a body (what the item is: media, caption, creator, tags, products) and what this request
adds (position, reason, counts, the shopper's like and follow). Bodies are kept in-process for up
to ``BODY_TTL_SECONDS`` (the catalog snapshot's staleness: a price change made by another process
shows within it), while whether an item is still published, and how many of its products can be
bought, is asked on every page, so a removed item or a sold-out product never reaches a shopper.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.core.files.storage import default_storage

from content import selectors as content_selectors
from content.models import ContentItem
from feedsite import caches
from profiles.events.selectors import CardSocial
from ranking.timed_cache import TimedCache

BODY_TTL_SECONDS = 30.0
BODY_CACHE_MAX = 20_000  # ≈ 2 KB each: 40 MB per process at most

# Items without pipeline output (the demo's, the importer's): the type their kind implies.
MEDIA_TYPES = {"video": "video/mp4", "image": "image/jpeg"}


def _url(name: str) -> str | None:
    return default_storage.url(name) if name else None


def _srcset(variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"width": v["width"], "url": _url(v["name"])} for v in variants if v.get("name")]


def _gallery(item: ContentItem) -> list[dict[str, Any]]:
    """Every processed image of a carousel, in order; empty for a single file or no pipeline output."""
    files = list(item.media_files.all())
    if len(files) < 2:
        return []
    return [
        {
            "url": _url(f.file.name),
            "type": f.file_type or None,
            "width": f.width,
            "height": f.height,
            "srcset": _srcset(f.variants),
        }
        for f in files
        if f.file
    ]


def _media(item: ContentItem) -> dict[str, Any]:
    first = next(iter(item.media_files.all()), None)
    kind_type = MEDIA_TYPES.get(item.kind, "image/jpeg")
    return {
        "url": _url(item.media.name),
        "poster": _url(item.poster.name),
        "type": ((first.file_type if first else "") or kind_type) if item.media else None,
        "width": item.media_width,
        "height": item.media_height,
        "duration_ms": item.duration_ms,
        "srcset": _srcset(first.variants) if first else [],
    }


def card(
    item: ContentItem, *, position: int, reason: dict[str, str], social: CardSocial | None = None
) -> dict[str, Any]:
    """The card contract of DESIGN.md. ``item`` must come from ``content.selectors.items_for_cards``.

    ``social`` (``profiles.events.selectors.cards_social``, fetched for the whole page) fills ``counts``,
    ``liked`` and ``following``; without it they are zeros and false.
    """
    return card_from_body(card_body(item), position=position, reason=reason, social=social)


def card_from_body(
    body: dict[str, Any], *, position: int, reason: dict[str, str], social: CardSocial | None = None
) -> dict[str, Any]:
    social = social or CardSocial()
    return {
        **body,
        "position": position,
        "reason": reason,
        "counts": {"likes": social.likes, "comments": social.comments, "shares": social.shares},
        "liked": social.liked,
        "following": social.following,
    }


def card_body(item: ContentItem) -> dict[str, Any]:
    """What a card shows of the item itself, the same for every shopper."""
    creator = item.creator
    return {
        "id": item.pk,
        "kind": item.kind,
        "source": item.source,
        "media": _media(item),
        "gallery": _gallery(item),
        "caption": item.caption,
        "creator": None
        if creator is None
        else {
            "id": creator.pk,
            "handle": creator.handle,
            "display_name": creator.display_name,
            "kind": creator.kind,
            "verified": creator.verified,
        },
        "brand": None if item.brand is None else {"id": item.brand.pk, "name": item.brand.name},
        "tags": [{"slug": tag.slug, "name": tag.name, "kind": tag.kind} for tag in item.tags.all()],
        "products": [
            {
                "id": link.product.pk,
                "title": link.product.title,
                "price": None if link.product.price is None else str(link.product.price),
                "currency": link.product.currency,
                "in_stock": link.product.in_stock,
            }
            # What can be bought leads; sold-out products follow, in the creator's order.
            for link in sorted(item.product_links.all(), key=lambda link: not link.product.in_stock)
        ],
    }


_bodies: TimedCache[int, dict[str, Any]] = TimedCache(seconds=BODY_TTL_SECONDS, max_size=BODY_CACHE_MAX)
caches.register("ranking.cards", _bodies.forget)


def _unavailable(body: dict[str, Any]) -> int:
    return sum(not product["in_stock"] for product in body["products"])


def card_bodies(
    ids: Sequence[int], *, live: Collection[int] | None = None, unavailable: Mapping[int, int] | None = None
) -> list[dict[str, Any]]:
    """Bodies of the published items among ``ids``, in that order.

    ``live``: which of ``ids`` are still published, when the caller knows (the feed reads it with
    the cards' social counts). Then no query when every body is cached, four otherwise; one more
    to find ``live`` when not given. ``unavailable``: how many products of each item cannot be bought
    now, read fresh (``CardSocial.products_unavailable``); a cached body that disagrees (stock or
    ``active`` changed in another process) is read again, so no card offers a sold-out product.
    """
    live = content_selectors.published_ids(set(ids)) if live is None else live

    def load(missing: list[int]) -> dict[int, dict[str, Any]]:
        return {item.pk: card_body(item) for item in content_selectors.items_for_cards(missing)}

    wanted = [pk for pk in ids if pk in live]
    found = _bodies.get_many(wanted, load)
    if unavailable is not None:
        stale = [pk for pk, body in found.items() if _unavailable(body) != unavailable.get(pk, 0)]
        if stale:
            _bodies.forget(stale)
            found.update(_bodies.get_many(stale, load))
    return [found[pk] for pk in ids if pk in found]


def product_changed(**_: object) -> None:
    """``content.signals.product_changed``: a price or stock changed; this process shows it at once
    (others within the TTL)."""
    _bodies.forget()


def items_withdrawn(item_ids: Collection[int]) -> None:
    """Items taken out of the feed: their bodies leave this process's cache (a page never shows
    them anyway: ``card_bodies`` asks which items are still published)."""
    _bodies.forget(list(item_ids))
