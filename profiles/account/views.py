"""The account pages (signed in; a visitor is sent to sign in): orders, liked posts, following.

Each list is paged: ``?page=N`` (from 1) shows ``*_PER_PAGE`` rows, with links to the newer and
older pages. Pages are offsets: unfollowing on one page moves the next page's first row up by one,
which a shopper reading their own list can live with (nothing is lost, it shows on the page before).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from content.selectors import media_thumbnail
from profiles.account import selectors
from profiles.services import shopper_for_request

ORDERS_PER_PAGE = 20
LIKED_PER_PAGE = 24
FOLLOWING_PER_PAGE = 30
# Past this page a number in the address is not a page anybody reached by following links.
LAST_PAGE = 10_000
T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    """Where a page is in its list: the page links of ``templates/account/pager.html``."""

    number: int
    has_next: bool

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.has_next else None


def page_number(request: HttpRequest) -> int:
    """``?page=`` as a number from 1 (anything else is page 1)."""
    raw = request.GET.get("page", "")
    return min(int(raw), LAST_PAGE) if raw.isdigit() and int(raw) >= 1 else 1


def paged(request: HttpRequest, per_page: int, read: Callable[..., list[T]]) -> tuple[list[T], Pager]:
    """``read(offset=, limit=)`` for the request's page; one row more than shown tells if there is a
    next. A page past the end (not the first) is not found."""
    number = page_number(request)
    rows = read(offset=(number - 1) * per_page, limit=per_page + 1)
    if not rows and number > 1:
        raise Http404("There is no such page.")
    return rows[:per_page], Pager(number, len(rows) > per_page)


@require_GET
@login_required
def orders(request: HttpRequest) -> HttpResponse:
    shopper = shopper_for_request(request, create=False)
    found, pager = paged(request, ORDERS_PER_PAGE, lambda **page: selectors.orders_of(shopper=shopper, **page))
    return render(request, "account/orders.html", {"orders": found, "pager": pager, "section": "orders"})


@require_GET
@login_required
def liked(request: HttpRequest) -> HttpResponse:
    shopper = shopper_for_request(request, create=False)
    items, pager = paged(request, LIKED_PER_PAGE, lambda **page: selectors.liked_posts(shopper=shopper, **page))
    posts = [{"item": item, "thumbnail": media_thumbnail(item)} for item in items]
    return render(request, "account/liked.html", {"posts": posts, "pager": pager, "section": "liked"})


@require_GET
@ensure_csrf_cookie
@login_required
def following(request: HttpRequest) -> HttpResponse:
    shopper = shopper_for_request(request, create=False)
    creators, pager = paged(
        request, FOLLOWING_PER_PAGE, lambda **page: selectors.followed_creators(shopper=shopper, **page)
    )
    return render(request, "account/following.html", {"creators": creators, "pager": pager, "section": "following"})
