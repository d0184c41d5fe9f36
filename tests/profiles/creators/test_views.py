"""The creator page ``/@<handle>``: profile, followers, follow state, posts newest first, 404s."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from content.models import ContentItem, Creator
from profiles.creators.views import CREATOR_PAGE_POSTS
from profiles.models import Follow
from tests.factories import (
    ContentItemFactory,
    CreatorFactory,
    CreatorStandingFactory,
    FollowFactory,
    ShopperFactory,
)

pytestmark = pytest.mark.django_db


def grid_ids(html: str) -> list[int]:
    """The ids of the posts in the page's grid, in order (each opens ``/c/<id>``)."""
    return [int(pk) for pk in re.findall(r'<li><a href="/c/(\d+)"', html)]


def test_the_page_shows_the_creator_followers_and_posts_newest_first():
    creator = CreatorFactory(handle="glowwithme", display_name="Glow With Me", bio="Skincare, daily.", verified=True)
    now = timezone.now()
    older = ContentItemFactory(creator=creator, published_at=now - timedelta(days=2))
    newer = ContentItemFactory(creator=creator, published_at=now - timedelta(hours=1))
    ContentItemFactory(creator=creator, status=ContentItem.Status.DRAFT, published_at=None)
    ContentItemFactory(creator=creator, status=ContentItem.Status.REMOVED, published_at=now)
    ContentItemFactory()  # someone else's
    FollowFactory.create_batch(2, creator=creator)

    response = Client().get("/@glowwithme")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="creator-title">Glow With Me</h1>' in html
    assert "Skincare, daily." in html
    assert "<strong data-follower-count>2</strong> <span data-follower-word>followers</span>" in html
    assert 'aria-pressed="false" aria-label="Follow @glowwithme">Follow</button>' in html
    assert grid_ids(html) == [newer.pk, older.pk]


def test_a_follower_sees_following():
    creator = CreatorFactory(handle="ada")
    shopper = ShopperFactory()
    FollowFactory(shopper=shopper, creator=creator)
    client = Client()
    client.force_login(shopper.user)

    html = client.get("/@ada").content.decode()

    assert 'aria-pressed="true" aria-label="Unfollow @ada">Following</button>' in html
    assert "<strong data-follower-count>1</strong> <span data-follower-word>follower</span>" in html


def test_the_grid_pages_backwards_with_more():
    creator = CreatorFactory(handle="many")
    now = timezone.now()
    items = [
        ContentItemFactory(creator=creator, published_at=now - timedelta(minutes=n))
        for n in range(CREATOR_PAGE_POSTS + 2)
    ]
    client = Client()

    first = client.get("/@many").content.decode()
    cursor = re.search(r'href="\?cursor=([^"]+)" rel="next"', first)
    assert cursor is not None
    second = client.get(f"/@many?cursor={cursor.group(1)}").content.decode()

    assert grid_ids(first) == [item.pk for item in items[:CREATOR_PAGE_POSTS]]
    assert grid_ids(second) == [item.pk for item in items[CREATOR_PAGE_POSTS:]]
    assert 'rel="next"' not in second


def test_a_creator_without_posts_says_what_to_do():
    CreatorFactory(handle="newbie")

    html = Client().get("/@newbie").content.decode()

    assert grid_ids(html) == []
    assert "@newbie hasn't posted yet. Follow them to see their first post in your feed." in html


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: None, id="unknown"),
        pytest.param(lambda: CreatorFactory(handle="gone", status=Creator.Status.APPLIED), id="applied"),
        pytest.param(lambda: CreatorFactory(handle="gone", status=Creator.Status.DECLINED), id="declined"),
        pytest.param(lambda: CreatorStandingFactory(creator=CreatorFactory(handle="gone"), blocked=True), id="blocked"),
        pytest.param(
            lambda: CreatorStandingFactory(creator=CreatorFactory(handle="gone"), reputation=0.0), id="below-bar"
        ),
    ],
)
def test_a_creator_not_shown_is_not_found(make):
    make()

    response = Client().get("/@gone")

    assert response.status_code == 404


def test_a_forged_cursor_is_not_found():
    ContentItemFactory(creator=CreatorFactory(handle="ada"))

    response = Client().get("/@ada?cursor=forged")

    assert response.status_code == 404


def test_a_visitor_reading_the_page_creates_no_shopper_and_follows_nothing():
    CreatorFactory(handle="ada")
    from profiles.models import Shopper

    before = Shopper.objects.count()
    response = Client().get("/@ada")

    assert response.status_code == 200
    assert Shopper.objects.count() == before
    assert Follow.objects.count() == 0


@pytest.mark.parametrize("posts", [1, CREATOR_PAGE_POSTS + 1])
def test_the_page_asks_a_bounded_number_of_queries(django_assert_max_num_queries, posts):
    creator = CreatorFactory(handle="ada")
    for _ in range(posts):
        ContentItemFactory(creator=creator)
    shopper = ShopperFactory()
    FollowFactory(shopper=shopper, creator=creator)
    client = Client()
    client.force_login(shopper.user)

    # Session and user (2), shopper (1), creator with its counts (1), posts (1), the header's cart (1)
    # and unread messages (1).
    with django_assert_max_num_queries(7):
        response = client.get("/@ada")

    assert len(grid_ids(response.content.decode())) == min(posts, CREATOR_PAGE_POSTS)


@pytest.mark.parametrize(("reputation", "status"), [(None, 404), (0.5, 404), (0.8, 200)])
def test_a_bar_above_neutral_shows_only_creators_judged_above_it(settings, reputation, status):
    settings.FEED_MIN_CREATOR_REPUTATION = 0.6
    creator = CreatorFactory(handle="ada")
    if reputation is not None:
        CreatorStandingFactory(creator=creator, reputation=reputation)

    response = Client().get("/@ada")

    assert response.status_code == status


def _form_token(client: Client, path: str) -> str:
    html = client.get(path).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_the_follow_button_is_a_form_that_follows_and_unfollows_without_javascript():
    creator = CreatorFactory(handle="glowwithme")
    shopper = ShopperFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(shopper.user)
    html = client.get("/@glowwithme").content.decode()
    assert '<form class="follow-form" method="post" action="/@glowwithme/follow"' in html
    assert '<input type="hidden" name="following" value="true">' in html

    followed = client.post(
        "/@glowwithme/follow",
        {"following": "true", "next": "/@glowwithme", "csrfmiddlewaretoken": _form_token(client, "/@glowwithme")},
    )

    assert (followed.status_code, followed["Location"]) == (302, "/@glowwithme")
    assert list(Follow.objects.values_list("shopper_id", "creator_id")) == [(shopper.pk, creator.pk)]
    page = client.get("/@glowwithme").content.decode()
    assert 'aria-label="Unfollow @glowwithme">Following</button>' in page
    assert '<input type="hidden" name="following" value="false">' in page
    assert "Following @glowwithme" in page  # the message, shown once

    unfollowed = client.post(
        "/@glowwithme/follow",
        {"following": "false", "next": "/following", "csrfmiddlewaretoken": _form_token(client, "/@glowwithme")},
    )

    assert (unfollowed.status_code, unfollowed["Location"]) == (302, "/following")
    assert Follow.objects.count() == 0


def test_a_visitor_follows_with_the_form_too():
    creator = CreatorFactory(handle="glowwithme")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/@glowwithme/follow", {"following": "true", "csrfmiddlewaretoken": _form_token(client, "/@glowwithme")}
    )

    assert response["Location"] == "/@glowwithme"
    assert Follow.objects.get().creator == creator


@pytest.mark.parametrize(
    ("data", "handle", "status"),
    [
        ({"following": "true"}, "glowwithme", 403),  # no CSRF token
        ({"following": "yes", "csrf": True}, "glowwithme", 400),
        ({"csrf": True}, "glowwithme", 400),
        ({"following": "true", "csrf": True}, "nobody-here", 404),
        ({"following": "true", "csrf": True}, "blocked", 404),
    ],
)
def test_a_bad_follow_form_is_refused_and_follows_nobody(data, handle, status):
    CreatorFactory(handle="glowwithme")
    CreatorStandingFactory(creator=CreatorFactory(handle="blocked"), blocked=True)
    client = Client(enforce_csrf_checks=True)
    token = _form_token(client, "/@glowwithme")
    body = {k: v for k, v in data.items() if k != "csrf"}
    if data.get("csrf"):
        body["csrfmiddlewaretoken"] = token

    response = client.post(f"/@{handle}/follow", body)

    assert response.status_code == status
    assert Follow.objects.count() == 0


def test_the_follow_form_goes_back_only_to_this_site():
    CreatorFactory(handle="glowwithme")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/@glowwithme/follow",
        {
            "following": "true",
            "next": "https://evil.example/phish",
            "csrfmiddlewaretoken": _form_token(client, "/@glowwithme"),
        },
    )

    assert response["Location"] == "/@glowwithme"
