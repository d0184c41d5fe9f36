"""Both storages on a real S3-compatible server (tests/feedsite/s3/conftest.py): public media,
private files behind signed URLs, deletion, and the private files the apps keep there."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from content.models import ContentMedia
from feedsite.migrating import files_to_private
from feedsite.storage import private_storage
from tests.factories import ContentItemFactory

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def download(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), response.headers["Content-Type"]


def test_public_media_is_uploaded_with_its_type_and_served_at_a_plain_url(s3_storages):
    data = png_bytes()

    name = default_storage.save("media/2026/12/look.png", ContentFile(data))

    head = s3_storages.head(s3_storages.public_bucket, name)
    assert (head["ContentType"], head["ContentLength"]) == ("image/png", len(data))
    url = default_storage.url(name)
    assert url == f"{s3_storages.endpoint}/{s3_storages.public_bucket}/{name}"
    assert download(url) == (data, "image/png")


@pytest.mark.parametrize(
    ("name", "declared", "content_type", "disposition"),
    [
        # The type the pipeline sniffed wins over whatever the name says.
        ("media/2026/12/clip.bin", "video/mp4", "video/mp4", None),
        ("media/2026/12/poster.png", "image/webp", "image/webp", None),
        # Never HTML, SVG or script from the media origin, whatever is declared or named.
        ("media/2026/12/page.png", "text/html", "application/octet-stream", "attachment"),
        ("media/2026/12/logo.svg", None, "application/octet-stream", "attachment"),
        ("media/2026/12/page.html", None, "application/octet-stream", "attachment"),
        ("media/2026/12/archive.tar.gz", None, "application/octet-stream", "attachment"),
    ],
)
def test_public_objects_carry_the_sniffed_media_type_or_none_a_browser_would_render(
    s3_storages, name, declared, content_type, disposition
):
    upload = SimpleUploadedFile(name.rpartition("/")[2], b"bytes", content_type=declared) if declared else None

    stored = default_storage.save(name, upload or ContentFile(b"bytes"))

    head = s3_storages.head(s3_storages.public_bucket, stored)
    assert (head["ContentType"], head.get("ContentDisposition"), head.get("ContentEncoding")) == (
        content_type,
        disposition,
        None,
    )


def test_private_files_get_only_short_lived_signed_urls(s3_storages):
    private = storages["private"]

    name = private.save("rankers/v1.pkl", ContentFile(b"model bytes"))

    assert s3_storages.keys(s3_storages.private_bucket) == ["private/rankers/v1.pkl"]
    assert s3_storages.keys(s3_storages.public_bucket) == []
    url = private.url(name)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path == f"/{s3_storages.private_bucket}/private/rankers/v1.pkl"
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Signature"][0]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert download(url)[0] == b"model bytes"
    # The same object without the signature is refused (the server does not check a forged
    # signature, so that part is left to S3 itself).
    with pytest.raises(urllib.error.HTTPError) as refused:
        download(url.partition("?")[0])
    assert refused.value.code == 403


def test_deleting_removes_the_object_from_either_bucket(s3_storages):
    public_name = default_storage.save("media/2026/12/gone.png", ContentFile(png_bytes()))
    private_name = storages["private"].save("originals/2026/12/gone.mov", ContentFile(b"original"))

    default_storage.delete(public_name)
    storages["private"].delete(private_name)

    assert s3_storages.keys(s3_storages.public_bucket) == []
    assert s3_storages.keys(s3_storages.private_bucket) == []
    assert not default_storage.exists(public_name)
    assert not storages["private"].exists(private_name)


def test_an_uploads_original_lands_in_the_private_bucket_and_its_output_in_the_public_one(s3_storages):
    item = ContentItemFactory(status="processing", published_at=None)
    media = ContentMedia(item=item, kind=ContentMedia.Kind.IMAGE, original_type="image/png")

    media.original.save("upload.png", ContentFile(png_bytes()), save=False)
    media.file.save("look.webp", ContentFile(b"RIFF....WEBP"), save=False)
    media.save()

    media.refresh_from_db()
    assert s3_storages.keys(s3_storages.private_bucket) == [f"private/{media.original.name}"]
    assert s3_storages.keys(s3_storages.public_bucket) == [media.file.name]
    assert media.original.name.startswith("originals/")
    assert "X-Amz-Signature=" in media.original.url
    assert "X-Amz-Signature=" not in media.file.url
    assert s3_storages.head(s3_storages.public_bucket, media.file.name)["ContentType"] == "image/webp"
    with media.original.open("rb") as original:
        assert original.read() == png_bytes()


def test_moving_files_to_private_storage_works_between_buckets(s3_storages):
    default_storage.save("archive/interactions/2026/03/04/10.jsonl.gz", ContentFile(b"rows"))

    moved = files_to_private(["archive/interactions/2026/03/04/10.jsonl.gz", "archive/gone.gz"])
    again = files_to_private(["archive/interactions/2026/03/04/10.jsonl.gz"])

    assert (moved, again) == (1, 0)
    assert s3_storages.keys(s3_storages.public_bucket) == []
    assert s3_storages.keys(s3_storages.private_bucket) == ["private/archive/interactions/2026/03/04/10.jsonl.gz"]
    with private_storage().open("archive/interactions/2026/03/04/10.jsonl.gz", "rb") as moved_file:
        assert moved_file.read() == b"rows"
