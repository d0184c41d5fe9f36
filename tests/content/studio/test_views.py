"""The studio's pages without script: forms post, the view redirects or shows the errors."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from content.models import ContentItem, Creator
from tests.content.studio.conftest import upload
from tests.factories import ContentItemFactory, CreatorFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = ContentItem.Status


@pytest.fixture
def creator_client(creator) -> Client:
    client = Client()
    client.force_login(creator.user)
    return client


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get("/studio/")

    assert response.status_code == 302
    assert response["Location"] == "/signin?next=/studio/"


def test_a_shopper_sees_the_application_form_and_applies(settings):
    settings.CREATOR_APPROVAL = "staff"
    user = UserFactory()
    client = Client()
    client.force_login(user)

    form = client.get("/studio/")
    assert b"Become a creator" in form.content

    applied = client.post("/studio/", {"handle": "mia", "display_name": "Mia", "bio": ""}, follow=True)

    assert Creator.objects.get(user=user).status == Creator.Status.APPLIED
    assert b"waiting for review" in applied.content


def test_a_refused_handle_shows_on_the_form_and_stores_nothing():
    user = UserFactory()
    client = Client()
    client.force_login(user)

    response = client.post("/studio/", {"handle": "admin", "display_name": "Mia"})

    assert response.status_code == 200
    assert "@admin is reserved" in response.content.decode()
    assert not Creator.objects.filter(user=user).exists()


def test_a_declined_applicant_sees_the_note():
    creator = CreatorFactory(status=Creator.Status.DECLINED, status_note="Tell us what you post.")
    client = Client()
    client.force_login(creator.user)

    response = client.get("/studio/")

    assert "Your application was declined." in response.content.decode()
    assert "Tell us what you post." in response.content.decode()


def test_the_posts_list_shows_status_and_reason(creator, creator_client):
    failed = ContentItemFactory(
        creator=creator, status=Status.FAILED, published_at=None, status_reason="The video has no picture."
    )
    ContentItemFactory(creator=creator, status=Status.PROCESSING, published_at=None)

    page = creator_client.get("/studio/").content.decode()

    assert "The video has no picture." in page
    assert f'action="/studio/posts/{failed.pk}/retry"' in page
    assert "Some posts are being processed" in page
    assert '<a href="/studio/dashboard">Dashboard</a>' in page


def test_the_new_post_form_uploads_without_script(creator, creator_client, images):
    serum = ProductFactory(title="Glow serum")

    search = creator_client.get("/studio/new", {"product_q": "glow"}).content.decode()
    assert f'value="{serum.pk}"' in search

    response = creator_client.post(
        "/studio/new",
        {
            "media": images(2),
            "caption": "Two looks",
            "tags": "glow, spf",
            "products": [serum.pk],
            "when": "now",
            "timezone": "UTC",
            "client_token": "form-token-0001",
        },
    )

    item = ContentItem.objects.get(creator=creator)
    assert response.status_code == 302
    assert response["Location"] == f"/studio/#post-{item.pk}"
    assert (item.kind, item.status, item.caption) == ("image", Status.PROCESSING, "Two looks")
    assert list(item.products.all()) == [serum]
    assert item.media_files.count() == 2


def test_a_schedule_is_read_in_the_chosen_time_zone(creator, creator_client, images):
    creator_client.post(
        "/studio/new",
        {
            "media": images(1),
            "when": "schedule",
            "publish_at": "2031-06-01T10:00",
            "timezone": "Europe/Paris",
            "client_token": "form-token-0002",
        },
    )

    assert ContentItem.objects.get(creator=creator).publish_at == datetime(2031, 6, 1, 8, 0, tzinfo=UTC)


def test_a_schedule_in_the_past_is_shown_as_an_error(creator, creator_client, images):
    past = (timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")

    response = creator_client.post(
        "/studio/new",
        {"media": images(1), "when": "schedule", "publish_at": past, "timezone": "UTC", "client_token": "tok-00003"},
    )

    assert response.status_code == 200
    assert "A scheduled time must be in the future." in response.content.decode()
    assert not ContentItem.objects.exists()


def test_a_disguised_file_is_shown_as_an_error(creator, creator_client):
    response = creator_client.post(
        "/studio/new",
        {"media": [upload("a.jpg", b"GIF89a not really" * 30, "image/jpeg")], "when": "now", "timezone": "UTC"},
    )

    assert response.status_code == 200
    assert 'class="form-error"' in response.content.decode()
    assert not ContentItem.objects.exists()


def test_edit_and_delete_of_an_own_post(creator, creator_client):
    item = ContentItemFactory(creator=creator, status=Status.PENDING, published_at=None, caption="old")

    creator_client.post(
        f"/studio/posts/{item.pk}/edit", {"caption": "new", "tags": "", "when": "now", "timezone": "UTC"}
    )
    item.refresh_from_db()
    assert item.caption == "new"

    creator_client.post(f"/studio/posts/{item.pk}/delete")
    item.refresh_from_db()
    assert item.status == Status.REMOVED


def test_another_creators_post_cannot_be_edited_or_deleted(creator_client):
    theirs = ContentItemFactory(creator=CreatorFactory(), caption="theirs")

    edit = creator_client.post(f"/studio/posts/{theirs.pk}/edit", {"caption": "mine", "when": "now", "timezone": "UTC"})
    creator_client.post(f"/studio/posts/{theirs.pk}/delete")

    assert edit.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.caption, theirs.status) == ("theirs", Status.PUBLISHED)


def test_a_non_creator_is_sent_to_the_application_form():
    client = Client()
    client.force_login(UserFactory())

    response = client.get("/studio/new")

    assert (response.status_code, response["Location"]) == (302, "/studio/")
