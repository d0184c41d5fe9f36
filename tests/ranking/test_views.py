"""The feed's pages: ``/`` and the shared card ``/c/<id>`` with its link preview."""

import pytest
from django.test import Client

from content.models import ContentItem
from profiles.models import Like
from tests.factories import ContentItemFactory, CreatorFactory
from tests.profiles.conftest import visitor_of

pytestmark = pytest.mark.django_db


def onboarded_client():
    client = Client()
    client.post("/welcome", {"skip": "1"})
    return client


def test_the_feed_page_loads_its_script_for_an_onboarded_shopper():
    response = onboarded_client().get("/")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'role="feed"' in body
    assert '<script type="module" src="/static/js/feed.js">' in body
    assert 'id="consent"' in body  # the choice is still open


def test_a_shared_card_opens_with_its_card_and_a_link_preview():
    item = ContentItemFactory(
        caption="Glass skin in 3 steps",
        creator=CreatorFactory(display_name="Mira Glow"),
        media="posts/a.mp4",
        poster="posters/a.jpg",
        kind=ContentItem.Kind.VIDEO,
    )
    client = Client()
    client.get("/cart")
    Like.objects.create(shopper=visitor_of(client), content=item)

    response = client.get(f"/c/{item.pk}")

    body = response.content.decode()
    pinned = response.context["pinned"]
    assert response.status_code == 200  # no onboarding detour for a shared link
    assert (pinned["id"], pinned["liked"], pinned["counts"]["likes"]) == (item.pk, True, 1)
    assert pinned["reason"] == {"code": "shared", "text": "You opened a link someone shared"}
    assert '<meta property="og:title" content="Mira Glow on feedsite">' in body
    assert '<meta property="og:description" content="Glass skin in 3 steps">' in body
    assert f'<meta property="og:url" content="http://testserver/c/{item.pk}">' in body
    assert '<meta property="og:image" content="http://testserver/media/posters/a.jpg">' in body
    assert '<meta property="og:video" content="http://testserver/media/posts/a.mp4">' in body
    assert 'id="pinned-card"' in body


@pytest.mark.parametrize("status", [ContentItem.Status.REMOVED, ContentItem.Status.PENDING])
def test_a_post_nobody_can_see_is_not_found(status):
    item = ContentItemFactory(status=status)

    assert Client().get(f"/c/{item.pk}").status_code == 404
