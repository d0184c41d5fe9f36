"""The real media pipeline (content.media.pipeline) with both storages on the S3 server of
tests/feedsite/s3/conftest.py: originals private, outputs public with their real type."""

from __future__ import annotations

import urllib.request

import pytest
from django.core.files.storage import default_storage

from content.media.checks import media_check_uploads
from content.media.ffmpeg import ffprobe
from content.media.pipeline import media_originals_store, media_process_item
from content.models import ContentItem, ContentMedia
from tests.content.media.conftest import ffmpeg_make, image_bytes, upload
from tests.factories import ContentItemFactory

pytestmark = pytest.mark.django_db
Status = ContentItem.Status


def get(url: str, **headers: str) -> tuple[int, bytes, str]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read(), response.headers["Content-Type"]


def processing(kind: str) -> ContentItem:
    return ContentItemFactory(kind=kind, status=Status.PROCESSING, published_at=None, intent="publish")


def test_a_video_upload_is_transcoded_from_the_private_bucket_into_the_public_one(s3_storages, tmp_path):
    item = processing("video")
    video = ffmpeg_make(tmp_path / "upload.mov", seconds=1.5, size="320x240", audio=True)
    media_originals_store(item=item, files=media_check_uploads([upload("<script>.html", video)]))
    original = ContentMedia.objects.get(item=item).original.name

    media_process_item(item.pk)

    item.refresh_from_db()
    row = ContentMedia.objects.get(item=item)
    assert item.status == Status.PENDING
    assert s3_storages.keys(s3_storages.private_bucket) == [f"private/{original}"]
    assert s3_storages.keys(s3_storages.public_bucket) == sorted([row.file.name, row.poster.name])
    types = {
        name: s3_storages.head(s3_storages.public_bucket, name)["ContentType"]
        for name in (row.file.name, row.poster.name)
    }
    assert types == {row.file.name: "video/mp4", row.poster.name: "image/jpeg"}
    status, served, content_type = get(default_storage.url(row.file.name))
    assert (status, content_type) == (200, "video/mp4")
    downloaded = tmp_path / "served.mp4"
    downloaded.write_bytes(served)
    probe = ffprobe(downloaded)
    assert (probe.video_codec, probe.audio_codec, probe.width, probe.height) == ("h264", "aac", 320, 240)
    # Players seek with range requests; the bucket answers them.
    assert get(default_storage.url(row.file.name), Range="bytes=0-99")[:2] == (206, served[:100])


def test_images_are_stored_as_webp_with_their_type_in_the_public_bucket(s3_storages, settings):
    settings.MEDIA_IMAGE_WIDTHS = (480,)
    item = processing("image")
    media_originals_store(item=item, files=media_check_uploads([upload("photo.png", image_bytes("JPEG", (800, 600)))]))

    media_process_item(item.pk)

    row = ContentMedia.objects.get(item=item)
    names = [row.file.name, row.variants[0]["name"]]
    assert s3_storages.keys(s3_storages.public_bucket) == sorted(names)
    assert [s3_storages.head(s3_storages.public_bucket, n)["ContentType"] for n in names] == ["image/webp"] * 2
    assert s3_storages.keys(s3_storages.private_bucket) == [f"private/{row.original.name}"]
    assert (
        s3_storages.head(s3_storages.private_bucket, f"private/{row.original.name}")["ContentLength"]
        == row.original_bytes
    )
