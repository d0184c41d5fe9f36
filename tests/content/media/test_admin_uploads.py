import io
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from PIL import ExifTags, Image

from content.media.checks import media_check_uploads
from content.media.pipeline import GAVE_UP, media_fail, media_originals_store
from content.models import ContentItem, ContentMedia
from tests.content.media.conftest import image_bytes, upload
from tests.factories import ContentItemFactory, CreatorFactory

pytestmark = pytest.mark.django_db
Status = ContentItem.Status
ADD = reverse("admin:content_contentitem_add")
CHANGELIST = reverse("admin:content_contentitem_changelist")
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def _form(**fields) -> dict:
    return {
        "kind": "video",
        "source": "ugc",
        "caption": "",
        "product_links-TOTAL_FORMS": "0",
        "product_links-INITIAL_FORMS": "0",
        "product_links-MIN_NUM_FORMS": "0",
        "product_links-MAX_NUM_FORMS": "1000",
        **fields,
    }


def _files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def _private_files() -> list:
    return _files(Path(storages["private"].location))


@pytest.mark.parametrize(
    ("kind", "field", "name", "data", "error"),
    [
        ("video", "media", "clip.mp4", HTML, "“clip.mp4” is not a video (MP4, MOV or WebM) or an image"),
        ("image", "media", "photo.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "“photo.jpg” is not a video"),
        ("brand_post", "media", "logo.png", HTML, "“logo.png” is not an image (JPEG, PNG or WebP)"),
        ("video", "poster", "poster.jpg", HTML, "“poster.jpg” is not an image (JPEG, PNG or WebP)"),
        ("image", "media", "photo.jpg", None, "“photo.jpg” is a video; this item is not."),
    ],
)
def test_a_refused_admin_upload_is_a_form_error_and_nothing_is_stored(
    admin_client, media_root, make_video, kind, field, name, data, error
):
    creator = CreatorFactory()
    sent = upload(name, data if data is not None else make_video(), "image/jpeg")

    response = admin_client.post(ADD, _form(kind=kind, creator=str(creator.pk), **{field: sent}))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors[field]
    assert len(errors) == 1
    assert errors[0].startswith(error)
    assert ContentItem.objects.count() == 0
    assert _files(media_root) == []
    assert _private_files() == []


def test_an_admin_video_upload_goes_through_the_pipeline_like_a_creators(
    admin_client, media_root, make_video, eager_celery, django_capture_on_commit_callbacks
):
    creator = CreatorFactory()
    data = make_video()

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = admin_client.post(ADD, _form(creator=str(creator.pk), media=upload("clip.mp4", data, "video/mp4")))

    assert response.status_code == 302
    item = ContentItem.objects.get()
    row = ContentMedia.objects.get(item=item)
    assert len(queued) == 1
    assert (item.status, item.intent, item.creator) == (Status.DRAFT, "draft", creator)
    assert storages["private"].open(row.original.name).read() == data
    assert (item.media.name, item.media_width, item.media_height) == (row.file.name, 320, 240)
    assert item.media.name.endswith(".mp4")
    assert item.poster.name.endswith(".jpg")
    assert {str(p.relative_to(media_root)) for p in _files(media_root)} == {item.media.name, item.poster.name}


def test_an_admin_upload_before_processing_is_an_item_processing_with_a_private_original(
    admin_client, media_root, make_video, django_capture_on_commit_callbacks
):
    creator = CreatorFactory()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        admin_client.post(ADD, _form(kind="image", creator=str(creator.pk), media=upload("a.png", image_bytes("PNG"))))

    item = ContentItem.objects.get()
    assert (item.status, item.media.name, len(queued)) == (Status.PROCESSING, "", 1)
    assert ContentMedia.objects.get(item=item).original_type == "image/png"
    assert _files(media_root) == []


def test_an_admin_poster_is_stored_without_its_metadata_under_a_name_from_its_type(admin_client, media_root):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    poster = upload("poster.gif", image_bytes("JPEG", (40, 30), exif=exif.tobytes()))

    response = admin_client.post(ADD, _form(kind="product_card", poster=poster))

    assert response.status_code == 302
    item = ContentItem.objects.get()
    stored = (media_root / item.poster.name).read_bytes()
    assert item.poster.name.startswith("posters/")
    assert item.poster.name.endswith(".jpg")
    assert b"PhoneCo" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size, dict(image.getexif())) == ("JPEG", (40, 30), {})


def test_the_media_of_an_existing_video_item_cannot_be_replaced_in_admin(admin_client, media_root, make_video):
    item = ContentItemFactory(kind="video", status=Status.DRAFT, published_at=None, media="media/old.mp4")

    response = admin_client.post(
        reverse("admin:content_contentitem_change", args=[item.pk]),
        _form(kind="video", creator=str(item.creator_id), media=upload("new.mp4", make_video())),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["media"] == [
        "The media of a video or image item is set once; add a new item for new media."
    ]
    item.refresh_from_db()
    assert item.media.name == "media/old.mp4"
    assert _files(media_root) == []


def test_a_processing_item_can_only_be_removed_in_admin(admin_client):
    item = ContentItemFactory(status=Status.PROCESSING, published_at=None)

    page = admin_client.get(reverse("admin:content_contentitem_change", args=[item.pk]))
    response = admin_client.post(
        CHANGELIST,
        {"action": "send_to_review", "_selected_action": [str(item.pk)]},
        follow=True,
    )

    assert 'value="remove"' in page.content.decode()
    assert 'value="send_to_review"' not in page.content.decode()
    assert ContentItem.objects.get(pk=item.pk).status == Status.PROCESSING
    assert any("still processing" in str(m) for m in response.context["messages"])


def test_a_failed_item_is_retried_from_admin(admin_client, media_root, django_capture_on_commit_callbacks):
    item = ContentItemFactory(kind="image", status=Status.PROCESSING, published_at=None)
    media_originals_store(item=item, files=media_check_uploads([upload("a.jpg", image_bytes())]))
    media_fail(item_id=item.pk, reason=GAVE_UP)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        admin_client.post(
            reverse("admin:content_contentitem_changelist"),
            {"action": "retry_media", "_selected_action": [str(item.pk)]},
        )

    item.refresh_from_db()
    assert (item.status, item.status_reason, len(queued)) == (Status.PROCESSING, "", 1)


def _creator_form(creator, **fields) -> dict:
    return {
        "handle": creator.handle,
        "display_name": creator.display_name,
        "kind": creator.kind,
        "bio": "",
        **fields,
    }


def test_an_admin_avatar_is_checked_like_an_applicants(admin_client, media_root):
    creator = CreatorFactory()
    change = reverse("admin:content_creator_change", args=[creator.pk])

    refused = admin_client.post(change, _creator_form(creator, avatar=upload("me.png", HTML, "image/png")))

    assert refused.status_code == 200
    (error,) = refused.context["adminform"].form.errors["avatar"]
    assert error.startswith("“me.png” is not an image (JPEG, PNG or WebP)")
    assert _files(media_root) == []

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    accepted = admin_client.post(
        change, _creator_form(creator, avatar=upload("me.gif", image_bytes("JPEG", (64, 64), exif=exif.tobytes())))
    )

    assert accepted.status_code == 302
    creator.refresh_from_db()
    assert creator.avatar.name.startswith("avatars/")
    assert creator.avatar.name.endswith(".jpg")
    assert b"PhoneCo" not in (media_root / creator.avatar.name).read_bytes()
