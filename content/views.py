"""The product page: what a product link in the feed opens."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from content import selectors
from content.models import ContentItem

# "Seen in" posts under the product: two rows of three on a phone.
PRODUCT_PAGE_ITEMS = 6


def media_thumbnail(item: ContentItem) -> str:
    """The still to show for an item: its poster, or the image itself."""
    if item.poster:
        return item.poster.url
    if item.media and item.kind != ContentItem.Kind.VIDEO:
        return item.media.url
    return ""


@ensure_csrf_cookie
def product(request: HttpRequest, product_id: int) -> HttpResponse:
    found = selectors.product_page(product_id=product_id, items=PRODUCT_PAGE_ITEMS)
    if found is None:
        raise Http404("No product on sale has this id.")
    item_product, items = found
    seen_in = [{"item": item, "thumbnail": media_thumbnail(item)} for item in items]
    context = {
        "product": item_product,
        "seen_in": seen_in,
        "hero": seen_in[0]["thumbnail"] if seen_in else "",
        "hero_item": items[0] if items else None,
    }
    return render(request, "shop/product.html", context)
