"""A content item as the feed API shows it (a plain dict: the feed's hottest path skips DRF serializers)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage

from content.models import ContentItem
from profiles.selectors import CardSocial

MEDIA_TYPES = {"video": "video/mp4", "image": "image/jpeg"}


def _url(name: str) -> str | None:
    return default_storage.url(name) if name else None


def card(
    item: ContentItem, *, position: int, reason: dict[str, str], social: CardSocial | None = None
) -> dict[str, Any]:
    """The card contract of DESIGN.md. ``item`` must come from ``content.selectors.items_for_cards``.

    ``social`` (``profiles.selectors.cards_social``, fetched for the whole page) fills ``counts``,
    ``liked`` and ``following``; without it they are zeros and false.
    """
    social = social or CardSocial()
    creator = item.creator
    return {
        "id": item.pk,
        "kind": item.kind,
        "source": item.source,
        "position": position,
        "media": {
            "url": _url(item.media.name),
            "poster": _url(item.poster.name),
            "type": MEDIA_TYPES.get(item.kind, "image/jpeg") if item.media else None,
            "width": item.media_width,
            "height": item.media_height,
            "duration_ms": item.duration_ms,
        },
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
            for link in item.product_links.all()
        ],
        "reason": reason,
        "counts": {"likes": social.likes, "comments": social.comments, "shares": social.shares},
        "liked": social.liked,
        "following": social.following,
    }
