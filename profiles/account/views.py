"""The account pages (signed in; a visitor is sent to sign in): orders, liked posts, following."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from content.selectors import media_thumbnail
from profiles.account import selectors
from profiles.services import shopper_for_request

# How much each page lists: the latest, a few screens' worth (older ones are in the data export).
ORDERS_SHOWN = 50
LIKED_SHOWN = 60
FOLLOWING_SHOWN = 200


@require_GET
@login_required
def orders(request: HttpRequest) -> HttpResponse:
    shopper = shopper_for_request(request, create=False)
    found = selectors.orders_of(shopper=shopper, limit=ORDERS_SHOWN)
    return render(request, "account/orders.html", {"orders": found, "section": "orders"})


@require_GET
@login_required
def liked(request: HttpRequest) -> HttpResponse:
    shopper = shopper_for_request(request, create=False)
    items = selectors.liked_posts(shopper=shopper, limit=LIKED_SHOWN)
    posts = [{"item": item, "thumbnail": media_thumbnail(item)} for item in items]
    return render(request, "account/liked.html", {"posts": posts, "section": "liked"})


@require_GET
@ensure_csrf_cookie
@login_required
def following(request: HttpRequest) -> HttpResponse:
    shopper = shopper_for_request(request, create=False)
    creators = selectors.followed_creators(shopper=shopper, limit=FOLLOWING_SHOWN)
    return render(request, "account/following.html", {"creators": creators, "section": "following"})
