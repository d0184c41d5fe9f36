"""``GET /api/v1/creators/<handle>``: the creator page as JSON."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from profiles.creators.views import CREATOR_PAGE_POSTS
from tests.factories import ContentItemFactory, CreatorFactory, CreatorStandingFactory, FollowFactory, ShopperFactory

pytestmark = pytest.mark.django_db


def test_the_creator_and_their_posts_page_through_the_cursor(api_client):
    creator = CreatorFactory(handle="ada", display_name="Ada", bio="Hi", verified=True)
    shopper = ShopperFactory()
    FollowFactory(shopper=shopper, creator=creator)
    now = timezone.now()
    items = [ContentItemFactory(creator=creator, published_at=now - timedelta(minutes=n)) for n in range(13)]
    api_client.force_login(shopper.user)

    first = api_client.get("/api/v1/creators/ada").json()
    second = api_client.get("/api/v1/creators/ada", {"cursor": first["next_cursor"]}).json()

    assert first["creator"] == {
        "id": creator.pk,
        "handle": "ada",
        "display_name": "Ada",
        "bio": "Hi",
        "verified": True,
        "avatar": None,
        "followers": 1,
        "following": True,
    }
    assert [post["id"] for post in first["posts"]] == [item.pk for item in items[:CREATOR_PAGE_POSTS]]
    assert first["posts"][0]["url"] == f"/c/{items[0].pk}"
    assert [post["id"] for post in second["posts"]] == [items[12].pk]
    assert second["next_cursor"] is None


def test_a_blocked_creator_is_not_found(api_client):
    CreatorStandingFactory(creator=CreatorFactory(handle="gone"), blocked=True)

    response = api_client.get("/api/v1/creators/gone")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_forged_cursor_is_refused_with_a_clear_error(api_client):
    CreatorFactory(handle="ada")

    response = api_client.get("/api/v1/creators/ada", {"cursor": "forged"})

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_cursor",
        "message": "This link to more posts is not valid.",
        "extra": {},
    }
