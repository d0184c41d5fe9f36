"""The feed's HTML pages: the feed itself (``/``), one shared card (``/c/<id>``) and the product
page a product link opens (``/p/<id>``: its posts, related products and back-in-stock sign-up).

The cards are drawn by ``static/js/feed.js`` from the feed API; a shared card is handed to the
page as its first card in the same shape (``ranking.cards.card``), so it looks and acts the same.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.csrf import ensure_csrf_cookie

from content import selectors as content_selectors
from feedsite.errors import ApplicationError
from profiles.events.selectors import cards_social
from profiles.services import shopper_for_request
from profiles.shop.alerts import stock_alert_pending
from ranking.cards import card
from ranking.related import active_world, related_products
from ranking.search import search_page

SHARED_REASON = {"code": "shared", "text": "You opened a link someone shared"}
# "Seen in" posts under the product: two rows of three on a phone; related products: one row of four.
PRODUCT_PAGE_ITEMS = 6
RELATED_PRODUCTS = 4


@ensure_csrf_cookie
def feed(request: HttpRequest) -> HttpResponse:
    """The feed; a first visit goes through onboarding first."""
    shopper = shopper_for_request(request, create=False)
    if shopper.onboarded_at is None:
        return redirect(f"{reverse('welcome')}?next=/")
    return render(request, "feed/feed.html", {"pinned": None})


def _open_graph(request: HttpRequest, shared: dict[str, Any]) -> dict[str, str]:
    creator = shared["creator"]
    who = creator["display_name"] if creator else (shared["brand"] or {}).get("name", "feedsite")
    media = shared["media"]
    still = media["poster"] or (media["url"] if media["type"] == "image/jpeg" else None)
    return {
        "title": f"{who} on feedsite",
        "description": Truncator(shared["caption"]).chars(200) or "Shop what you see.",
        "url": request.build_absolute_uri(),
        "image": request.build_absolute_uri(still) if still else "",
        "video": request.build_absolute_uri(media["url"]) if media["type"] == "video/mp4" else "",
    }


@ensure_csrf_cookie
def shared_card(request: HttpRequest, item_id: int) -> HttpResponse:
    """What a shared link opens: that card first, with Open Graph tags for link previews, then the feed."""
    items = content_selectors.items_for_cards([item_id])
    if not items:
        raise Http404("This post is not available.")
    shopper = shopper_for_request(request, create=False)
    social = cards_social(shopper=shopper, item_ids=[item_id])
    shared = card(items[0], position=0, reason=SHARED_REASON, social=social[item_id])
    return render(request, "feed/feed.html", {"pinned": shared, "og": _open_graph(request, shared)})


def search(request: HttpRequest) -> HttpResponse:
    """``/search?q=``: the results page, server-rendered (works without JS); ``cursor`` pages on."""
    raw = request.GET.get("q", "")
    page, error = None, ""
    if raw.strip():
        try:
            page = search_page(
                raw_query=raw, shopper=shopper_for_request(request, create=False), cursor=request.GET.get("cursor")
            )
        except ApplicationError as refused:
            error = refused.message
    return render(
        request, "search/results.html", {"q": raw, "page": page, "error": error}, status=400 if error else 200
    )


@ensure_csrf_cookie
def product(request: HttpRequest, product_id: int) -> HttpResponse:
    """A product on sale: its posts ("Seen in"), related products and, sold out, the back-in-stock sign-up."""
    found = content_selectors.product_page(product_id=product_id, items=PRODUCT_PAGE_ITEMS)
    if found is None:
        raise Http404("No product on sale has this id.")
    item_product, items = found
    seen_in = [{"item": item, "thumbnail": content_selectors.media_thumbnail(item)} for item in items]
    shopper = shopper_for_request(request, create=False)
    signed_in = shopper.user_id is not None
    context = {
        "product": item_product,
        "seen_in": seen_in,
        "hero": seen_in[0]["thumbnail"] if seen_in else "",
        "hero_item": items[0] if items else None,
        "related": related_products(item_product, world=active_world(), limit=RELATED_PRODUCTS),
        "signed_in": signed_in,
        "alert_pending": signed_in
        and not item_product.in_stock
        and stock_alert_pending(shopper=shopper, product=item_product),
    }
    return render(request, "shop/product.html", context)
