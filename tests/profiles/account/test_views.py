"""The account pages: orders, liked posts and followed creators, each the shopper's own, newest first."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from content.models import ContentItem
from profiles.models import Shopper
from profiles.shop.models import Order
from tests.factories import (
    ContentItemFactory,
    CreatorFactory,
    CreatorStandingFactory,
    FollowFactory,
    LikeFactory,
    OrderFactory,
    OrderLineFactory,
    ShopperFactory,
)

pytestmark = pytest.mark.django_db


def signed_in(shopper: Shopper) -> Client:
    client = Client()
    client.force_login(shopper.user)
    return client


@pytest.mark.parametrize("path", ["/orders", "/liked", "/following"])
def test_a_visitor_is_sent_to_sign_in(path):
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/signin?next={path}"


def test_orders_are_listed_newest_first_with_status_total_and_items():
    shopper = ShopperFactory()
    old = OrderFactory(shopper=shopper, total=Decimal("39.80"))
    OrderLineFactory(order=old, title="Glow serum", quantity=2)
    new = OrderFactory(shopper=shopper, total=Decimal("5.00"))
    OrderLineFactory(order=new, title="Lip balm", unit_price=Decimal("5.00"))
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    OrderFactory()  # another shopper's

    html = signed_in(shopper).get("/orders").content.decode()

    assert re.findall(r'href="/orders/([^"]+)"', html) == [new.number, old.number]
    assert "2 × Glow serum" in html
    assert "€39.80" in html
    assert html.count("Paid (simulated)") == 2


def test_another_shoppers_order_is_not_found():
    order = OrderFactory()

    response = signed_in(ShopperFactory()).get(f"/orders/{order.number}")

    assert response.status_code == 404


def test_an_order_page_links_back_to_the_history():
    order = OrderFactory()

    html = signed_in(order.shopper).get(f"/orders/{order.number}").content.decode()

    assert f"Order {order.number}" in html
    assert 'href="/orders">All your orders</a>' in html


def test_liked_posts_are_the_shoppers_own_still_served_latest_like_first():
    shopper = ShopperFactory()
    first, second = ContentItemFactory(), ContentItemFactory()
    removed = ContentItemFactory(status=ContentItem.Status.REMOVED)
    LikeFactory(shopper=shopper, content=first)
    LikeFactory(shopper=shopper, content=second)
    LikeFactory(shopper=shopper, content=removed)
    LikeFactory(content=ContentItemFactory())  # another shopper's like

    html = signed_in(shopper).get("/liked").content.decode()

    assert [int(pk) for pk in re.findall(r'<li><a href="/c/(\d+)"', html)] == [second.pk, first.pk]


def test_following_lists_the_shoppers_creators_latest_first_with_unfollow():
    shopper = ShopperFactory()
    ada, bob = CreatorFactory(handle="ada"), CreatorFactory(handle="bob")
    blocked = CreatorFactory(handle="blocked")
    CreatorStandingFactory(creator=blocked, blocked=True)
    FollowFactory(shopper=shopper, creator=ada)
    FollowFactory(shopper=shopper, creator=bob)
    FollowFactory(shopper=shopper, creator=blocked)
    FollowFactory(creator=CreatorFactory(handle="theirs"))

    html = signed_in(shopper).get("/following").content.decode()

    assert re.findall(r'class="creator-list__who" href="/@([^"]+)"', html) == ["bob", "ada"]
    assert 'aria-label="Unfollow @ada">Following</button>' in html


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/orders", "No orders yet. Add what you like from a post to your cart and check out"),
        ("/liked", "No liked posts yet. Tap the heart on a post in the feed to keep it here."),
        ("/following", "You don't follow anyone yet. Tap Follow on a post in the feed"),
    ],
)
def test_each_empty_list_says_what_to_do(path, says):
    html = signed_in(ShopperFactory()).get(path).content.decode()

    assert says in html


@pytest.mark.parametrize(
    ("path", "rows"),
    [("/orders", 1), ("/orders", 8), ("/liked", 1), ("/liked", 8), ("/following", 1), ("/following", 8)],
)
def test_each_page_asks_a_bounded_number_of_queries(django_assert_max_num_queries, path, rows):
    shopper = ShopperFactory()
    for _ in range(rows):
        OrderLineFactory(order=OrderFactory(shopper=shopper))
        LikeFactory(shopper=shopper)
        FollowFactory(shopper=shopper)
    client = signed_in(shopper)

    # Session and user (2), shopper (1), the list (1, orders 2 with their lines), the header's cart
    # (1) and unread messages (1).
    with django_assert_max_num_queries(7):
        response = client.get(path)

    assert response.status_code == 200


def _rows(path: str, shopper: Shopper, count: int) -> list[str]:
    """``count`` rows of ``path``'s list for ``shopper``, newest first, as the page links them."""
    now = timezone.now()
    made = []
    for n in range(count):
        if path == "/orders":
            order = OrderFactory(shopper=shopper)
            Order.objects.filter(pk=order.pk).update(created_at=now - timedelta(minutes=n))
            made.append(f"/orders/{order.number}")
        elif path == "/liked":
            like = LikeFactory(shopper=shopper)
            type(like).objects.filter(pk=like.pk).update(created_at=now - timedelta(minutes=n))
            made.append(f"/c/{like.content_id}")
        else:
            follow = FollowFactory(shopper=shopper)
            type(follow).objects.filter(pk=follow.pk).update(created_at=now - timedelta(minutes=n))
            made.append(f"/@{follow.creator.handle}")
    return made


LISTED = {
    "/orders": r'class="order-row__link" href="([^"]+)"',
    "/liked": r'<li><a href="([^"]+)"',
    "/following": r'class="creator-list__who" href="([^"]+)"',
}
PER_PAGE = {"/orders": "ORDERS_PER_PAGE", "/liked": "LIKED_PER_PAGE", "/following": "FOLLOWING_PER_PAGE"}


@pytest.mark.parametrize("path", ["/orders", "/liked", "/following"])
def test_each_list_is_paged_with_more_and_newer_links(monkeypatch, path):
    monkeypatch.setattr(f"profiles.account.views.{PER_PAGE[path]}", 2)
    shopper = ShopperFactory()
    rows = _rows(path, shopper, 5)
    client = signed_in(shopper)

    pages = [client.get(path, {"page": n}).content.decode() for n in (1, 2, 3)]

    assert [re.findall(LISTED[path], html) for html in pages] == [rows[:2], rows[2:4], rows[4:]]
    assert [re.findall(r'rel="next" href="\?page=(\d+)"', html) for html in pages] == [["2"], ["3"], []]
    assert [re.findall(r'rel="prev" href="\?page=(\d+)"', html) for html in pages] == [[], ["1"], ["2"]]
    assert re.findall(LISTED[path], client.get(path).content.decode()) == rows[:2]


@pytest.mark.parametrize("path", ["/orders", "/liked", "/following"])
def test_a_page_past_the_end_is_not_found_and_a_bad_number_is_the_first_page(monkeypatch, path):
    monkeypatch.setattr(f"profiles.account.views.{PER_PAGE[path]}", 2)
    shopper = ShopperFactory()
    rows = _rows(path, shopper, 2)
    client = signed_in(shopper)

    assert client.get(path, {"page": 2}).status_code == 404
    for bad in ("0", "-1", "x", ""):
        assert re.findall(LISTED[path], client.get(path, {"page": bad}).content.decode()) == rows


def test_a_single_page_has_no_page_links():
    shopper = ShopperFactory()
    _rows("/orders", shopper, 3)

    html = signed_in(shopper).get("/orders").content.decode()

    assert 'class="pager"' not in html
