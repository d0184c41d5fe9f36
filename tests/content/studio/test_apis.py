from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from content.models import ContentItem, ContentMedia, Creator
from tests.content.studio.conftest import client_of, upload
from tests.factories import BrandFactory, ContentItemFactory, CreatorFactory, ProductFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = ContentItem.Status
ITEMS = "/api/v1/studio/items"


def error_of(response) -> dict:
    return response.json()["error"]


# ---- becoming a creator -------------------------------------------------------------------------


def test_a_shopper_applies_with_json_and_is_approved_in_auto_mode(settings, shopper_api):
    settings.CREATOR_APPROVAL = "auto"

    response = shopper_api.post(
        "/api/v1/studio/creator", {"handle": "mia", "display_name": "Mia", "bio": "Skin."}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("handle", "display_name", "bio", "avatar", "status")} == {
        "handle": "mia",
        "display_name": "Mia",
        "bio": "Skin.",
        "avatar": None,
        "status": "approved",
    }
    assert shopper_api.get("/api/v1/studio/creator").json()["status"] == "approved"


def test_a_shopper_applies_with_an_avatar_and_waits_in_staff_mode(settings, shopper_api, images):
    settings.CREATOR_APPROVAL = "staff"

    response = shopper_api.post(
        "/api/v1/studio/creator", {"handle": "mia", "display_name": "Mia", "avatar": images(1)[0]}, format="multipart"
    )

    assert response.status_code == 201
    assert response.json()["status"] == "applied"
    assert response.json()["avatar"].startswith("/media/avatars/")
    refused = shopper_api.get(ITEMS)
    assert (refused.status_code, error_of(refused)["code"]) == (403, "creator_not_approved")


def test_applying_anonymously_is_refused():
    response = APIClient().post("/api/v1/studio/creator", {"handle": "mia", "display_name": "Mia"}, format="json")

    assert response.status_code == 401
    assert not Creator.objects.filter(handle="mia").exists()


def test_a_taken_handle_is_refused_in_the_error_shape(shopper_api):
    CreatorFactory(handle="mia")

    response = shopper_api.post("/api/v1/studio/creator", {"handle": "MIA", "display_name": "Mia"}, format="json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "handle_taken"
    assert Creator.objects.filter(handle__iexact="mia").count() == 1


# ---- uploading ----------------------------------------------------------------------------------


def test_a_creator_uploads_a_carousel_and_reads_it_back(creator, creator_api, images):
    serum = ProductFactory(title="Glow serum", brand=BrandFactory(name="Lumi"))
    TagFactory(slug="skincare", name="Skincare")
    later = timezone.now() + timedelta(days=1)

    response = creator_api.post(
        ITEMS,
        {
            "media": images(3),
            "caption": "Three looks #glow",
            "tags": "skincare",
            "products": [str(serum.pk)],
            "intent": "publish",
            "publish_at": later.isoformat(),
        },
        format="multipart",
    )

    assert response.status_code == 201
    created = response.json()
    assert created == {"id": created["id"], "status": "processing"}
    body = creator_api.get(f"{ITEMS}/{created['id']}").json()
    assert body["status"] == "processing"
    assert body["reason"] == "We are preparing your media; it is usually ready within a minute or two."
    assert (body["kind"], body["caption"], body["intent"]) == ("image", "Three looks #glow", "publish")
    # The hashtag, the chosen tag, and the linked product's brand (content.tagging).
    assert {(t["slug"], t["name"]) for t in body["tags"]} == {
        ("glow", "glow"),
        ("skincare", "Skincare"),
        (serum.brand and f"brand-{serum.brand.slug}", "Lumi"),
    }
    assert body["products"] == [
        {"id": serum.pk, "title": "Glow serum", "brand": "Lumi", "price": "19.90", "currency": "EUR", "in_stock": True}
    ]
    assert body["publish_at"] == later.isoformat()
    assert [m["url"] for m in body["media"]] == [None, None, None]
    assert ContentMedia.objects.filter(item_id=created["id"]).count() == 3


def test_a_retried_upload_with_the_same_idempotency_key_makes_one_post(creator_api, images):
    first = creator_api.post(ITEMS, {"media": images(2)}, format="multipart", HTTP_IDEMPOTENCY_KEY="a1b2c3d4e5f6")
    again = creator_api.post(ITEMS, {"media": images(2)}, format="multipart", HTTP_IDEMPOTENCY_KEY="a1b2c3d4e5f6")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert ContentItem.objects.count() == 1


def test_a_non_creator_is_refused(shopper_api, images):
    response = shopper_api.post(ITEMS, {"media": images(1)}, format="multipart")

    assert response.status_code == 403
    assert error_of(response)["code"] == "not_a_creator"
    assert not ContentItem.objects.exists()


def test_an_anonymous_upload_is_refused(images):
    response = APIClient().post(ITEMS, {"media": images(1)}, format="multipart")

    assert response.status_code == 401
    assert not ContentItem.objects.exists()


def test_an_unknown_product_is_refused_naming_its_id(creator_api, images):
    known = ProductFactory()

    response = creator_api.post(ITEMS, {"media": images(1), "products": f"{known.pk},{10**9}"}, format="multipart")

    assert response.status_code == 400
    assert (error_of(response)["code"], error_of(response)["extra"]) == ("invalid_product", {"ids": [10**9]})
    assert not ContentItem.objects.exists()


@pytest.mark.parametrize(
    ("publish_at", "code"),
    [
        ("yesterday", "invalid"),
        ("2020-01-01T10:00:00+00:00", "invalid_publish_at"),
        ("2031-01-01T10:00:00", "invalid_publish_at"),
    ],
)
def test_a_bad_schedule_is_refused(creator_api, images, publish_at, code):
    response = creator_api.post(ITEMS, {"media": images(1), "publish_at": publish_at}, format="multipart")

    assert response.status_code == 400
    assert error_of(response)["code"] == code
    assert not ContentItem.objects.exists()


def test_a_disguised_file_is_refused_with_the_checks_reason(creator_api):
    disguised = upload("clip.mp4", b"%PDF-1.4 not a video at all" * 40, "video/mp4")

    response = creator_api.post(ITEMS, {"media": [disguised]}, format="multipart")

    assert response.status_code == 400
    assert error_of(response)["extra"]["file"] == "clip.mp4"
    assert not ContentItem.objects.exists()
    assert not ContentMedia.objects.exists()


def test_an_upload_without_files_is_refused(creator_api):
    response = creator_api.post(ITEMS, {"caption": "nothing"}, format="multipart")

    assert response.status_code == 400
    assert "media" in error_of(response)["extra"]["fields"]


# ---- reading and editing ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_creators_post_is_not_found(creator_api, method):
    theirs = ContentItemFactory(creator=CreatorFactory(), caption="theirs")

    response = getattr(creator_api, method)(f"{ITEMS}/{theirs.pk}", {"caption": "mine"}, format="json")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    theirs.refresh_from_db()
    assert (theirs.caption, theirs.status) == ("theirs", Status.PUBLISHED)


def test_the_list_is_the_creators_own_newest_first_by_cursor(creator, creator_api, settings):
    mine = [ContentItemFactory(creator=creator) for _ in range(23)]
    ContentItemFactory(creator=CreatorFactory())
    ContentItemFactory(creator=creator, status=Status.REMOVED, published_at=None)

    first = creator_api.get(ITEMS).json()
    second = creator_api.get(ITEMS, {"cursor": first["next_cursor"]}).json()

    expected = [item.pk for item in reversed(mine)]
    assert [i["id"] for i in first["items"]] == expected[:20]
    assert [i["id"] for i in second["items"]] == expected[20:]
    assert second["next_cursor"] is None


def test_patch_edits_and_delete_removes(creator, creator_api):
    item = ContentItemFactory(creator=creator, status=Status.DRAFT, published_at=None, intent="draft")
    serum = ProductFactory()

    edited = creator_api.patch(
        f"{ITEMS}/{item.pk}", {"caption": "Now #live", "products": [serum.pk], "intent": "publish"}, format="json"
    )

    assert edited.status_code == 200
    assert (edited.json()["caption"], edited.json()["status"]) == ("Now #live", "pending_review")
    assert [p["id"] for p in edited.json()["products"]] == [serum.pk]

    deleted = creator_api.delete(f"{ITEMS}/{item.pk}")

    assert deleted.status_code == 204
    item.refresh_from_db()
    assert item.status == Status.REMOVED
    assert creator_api.get(f"{ITEMS}/{item.pk}").status_code == 404


def test_a_failed_post_shows_why(creator, creator_api):
    item = ContentItemFactory(
        creator=creator, status=Status.FAILED, published_at=None, status_reason="The video could not be decoded."
    )

    body = creator_api.get(f"{ITEMS}/{item.pk}").json()

    assert (body["status"], body["reason"]) == ("failed", "The video could not be decoded.")


# ---- search -------------------------------------------------------------------------------------


def test_products_are_found_by_title_or_brand_and_only_on_sale(creator_api):
    lumi = BrandFactory(name="Lumi")
    by_title = ProductFactory(title="Glow serum")
    by_brand = ProductFactory(title="Night cream", brand=lumi)
    ProductFactory(title="Glow mask", active=False)
    ProductFactory(title="Shampoo")

    glow = creator_api.get("/api/v1/studio/products", {"q": "glow"}).json()
    lumi_found = creator_api.get("/api/v1/studio/products", {"q": "lumi"}).json()

    assert [p["id"] for p in glow] == [by_title.pk]
    assert [p["id"] for p in lumi_found] == [by_brand.pk]
    assert lumi_found[0] == {
        "id": by_brand.pk,
        "title": "Night cream",
        "brand": "Lumi",
        "price": "19.90",
        "currency": "EUR",
        "in_stock": True,
    }


def test_tags_are_suggested_by_prefix(creator_api):
    TagFactory(slug="skincare", name="Skincare")
    TagFactory(slug="skin-tint", name="Skin tint")
    TagFactory(slug="haircare", name="Haircare")

    response = creator_api.get("/api/v1/studio/tags", {"q": "#ski"})

    assert response.json() == [{"slug": "skin-tint", "name": "Skin tint"}, {"slug": "skincare", "name": "Skincare"}]


def test_search_is_for_creators_only(shopper_api):
    response = shopper_api.get("/api/v1/studio/products", {"q": "glow"})

    assert (response.status_code, error_of(response)["code"]) == (403, "not_a_creator")


def test_uploads_are_throttled_by_the_uploads_scope(settings, creator_api, images):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "uploads": "2/hour"},
    }

    answers = [creator_api.post(ITEMS, {"media": images(1)}, format="multipart").status_code for _ in range(3)]

    assert answers == [201, 201, 429]
    assert ContentItem.objects.count() == 2


def test_a_session_upload_needs_the_csrf_token(creator, images):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(creator.user)

    response = client.post(ITEMS, {"media": images(1)}, format="multipart")

    assert response.status_code == 403
    assert not ContentItem.objects.exists()


def test_an_applicant_user_token_client_is_refused(settings, images):
    user = UserFactory()
    CreatorFactory(user=user, status=Creator.Status.APPLIED)

    response = client_of(user).post(ITEMS, {"media": images(1)}, format="multipart")

    assert (response.status_code, error_of(response)["code"]) == (403, "creator_not_approved")
