import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from PIL import Image

from content.media import image_size, media_sniff
from content.media.checks import media_check_uploads
from content.media.ffmpeg import ffprobe
from content.media.pipeline import (
    GAVE_UP,
    VIDEO_FAILED,
    media_fail,
    media_originals_store,
    media_process_item,
    target_size,
)
from content.models import ContentItem, ContentMedia
from content.tasks import MEDIA_MAX_RETRIES, media_process, media_retry
from feedsite.errors import ApplicationError
from tests.content.media.conftest import image_bytes, upload
from tests.content.media.storages import FlakyStorage
from tests.factories import ContentItemFactory

pytestmark = pytest.mark.django_db
Status = ContentItem.Status


def _bytes(file) -> bytes:
    file.seek(0)
    return file.read()


def _processing(kind: str = "video", intent: str = "publish") -> ContentItem:
    return ContentItemFactory(kind=kind, status=Status.PROCESSING, published_at=None, intent=intent)


def test_originals_are_stored_privately_in_order_under_names_from_their_type(media_root):
    item = _processing("image")
    checked = media_check_uploads(
        [upload("<b>one</b>.html.png", image_bytes("JPEG")), upload("two", image_bytes("PNG"))]
    )

    rows = media_originals_store(item=item, files=checked)

    stored = list(ContentMedia.objects.filter(item=item))
    assert [r.pk for r in rows] == [r.pk for r in stored]
    assert [(r.position, r.kind, r.original_type, r.original_bytes) for r in stored] == [
        (0, "image", "image/jpeg", checked[0].size),
        (1, "image", "image/png", checked[1].size),
    ]
    assert [r.original.name.rsplit(".", 1)[1] for r in stored] == ["jpg", "png"]
    assert all("one" not in r.original.name and r.original.name.startswith("originals/") for r in stored)
    private = storages["private"]
    assert [private.open(r.original.name).read() for r in stored] == [_bytes(c.content) for c in checked]
    assert not any(default_storage.exists(r.original.name) for r in stored)
    assert list(media_root.iterdir()) == []
    with pytest.raises(ValueError, match="no URL"):
        stored[0].original.url  # noqa: B018


def test_a_video_original_is_stored_as_uploaded(media_root, make_video):
    data = make_video()
    item = _processing("video")

    (row,) = media_originals_store(item=item, files=media_check_uploads([upload("clip.mov", data)]))

    assert (row.original_type, row.width, row.height, row.original.name[-4:]) == ("video/mp4", 320, 240, ".mp4")
    assert storages["private"].open(row.original.name).read() == data


@pytest.mark.parametrize(
    ("status", "kind", "code"),
    [
        (Status.DRAFT, "image", "invalid_state"),
        (Status.PUBLISHED, "image", "invalid_state"),
        (Status.PROCESSING, "video", "mixed_media"),
    ],
)
def test_originals_are_refused_unless_the_item_is_processing_and_of_their_kind(status, kind, code):
    item = ContentItemFactory(kind=kind, status=status)
    checked = media_check_uploads([upload("a.jpg", image_bytes())])

    with pytest.raises(ApplicationError) as refused:
        media_originals_store(item=item, files=checked)

    assert refused.value.code == code
    assert ContentMedia.objects.count() == 0
    assert storages["private"].listdir("") == ([], [])


def test_an_item_gets_its_originals_once():
    item = _processing("image")
    media_originals_store(item=item, files=media_check_uploads([upload("a.jpg", image_bytes())]))

    with pytest.raises(ApplicationError) as refused:
        media_originals_store(item=item, files=media_check_uploads([upload("b.jpg", image_bytes())]))

    assert refused.value.code == "media_exists"
    assert ContentMedia.objects.filter(item=item).count() == 1


# Processing


def _mp4_boxes(data: bytes) -> list[str]:
    """The top-level box types of an MP4, in file order."""
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        if size < 8:
            break
        offset += size
    return boxes


def _stored_video(make_video, *, intent: str = "publish", **video) -> ContentItem:
    item = _processing("video", intent)
    media_originals_store(item=item, files=media_check_uploads([upload("<script>.mp4", make_video(**video))]))
    return item


def _files(root) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("size", "lines", "expected"),
    [
        ((1920, 1080), 720, (1280, 720)),
        ((1080, 1920), 720, (720, 1280)),
        ((640, 480), 720, (640, 480)),  # never enlarged
        ((1001, 563), 480, (854, 480)),  # both sides even
        ((321, 241), 720, (320, 240)),  # even by rounding down, not enlarged
    ],
)
def test_target_size_keeps_the_aspect_with_the_shorter_side_at_most_the_lines(size, lines, expected):
    assert target_size(*size, max_lines=lines) == expected


def test_a_video_becomes_faststart_h264_aac_within_the_lines_with_a_poster(settings, media_root, make_video):
    settings.MEDIA_VIDEO_MAX_LINES = 120
    item = _stored_video(make_video, seconds=1.5, size="320x240")
    original = ContentMedia.objects.get(item=item).original.name

    media_process_item(item.pk)

    item.refresh_from_db()
    row = ContentMedia.objects.get(item=item)
    assert (item.status, item.status_reason) == (Status.PENDING, "")
    assert item.submitted_at is not None
    assert (item.media.name, item.poster.name) == (row.file.name, row.poster.name)
    assert row.file.name.startswith("media/")
    assert row.file.name.endswith(".mp4")
    assert "script" not in row.file.name
    assert (row.file_type, row.width, row.height) == ("video/mp4", 160, 120)
    assert (item.media_width, item.media_height, item.duration_ms) == (160, 120, row.duration_ms)
    assert 1400 <= row.duration_ms <= 1600
    assert row.processed_at is not None
    probe = ffprobe(media_root / row.file.name)
    assert (probe.video_codec, probe.audio_codec, probe.width, probe.height) == ("h264", "aac", 160, 120)
    boxes = _mp4_boxes((media_root / row.file.name).read_bytes())
    assert boxes.index("moov") < boxes.index("mdat")
    poster = (media_root / row.poster.name).read_bytes()
    assert media_sniff(poster) == "jpeg"
    assert image_size(poster) == (160, 120)
    assert storages["private"].exists(original)
    assert _files(media_root) == {row.file.name, row.poster.name}


def test_a_video_without_sound_stays_a_video_and_a_draft_when_asked(media_root, make_video):
    item = _stored_video(make_video, intent="draft", audio=False, ext=".webm")

    media_process_item(item.pk)

    item.refresh_from_db()
    row = ContentMedia.objects.get(item=item)
    probe = ffprobe(media_root / row.file.name)
    assert item.status == Status.DRAFT
    assert (probe.video_codec, probe.audio_codec, probe.width, probe.height) == ("h264", None, 320, 240)


def test_images_become_webp_in_the_configured_widths_never_enlarged(settings, media_root):
    settings.MEDIA_IMAGE_WIDTHS = (480, 1080)
    item = _processing("image", "draft")
    files = [upload("big.jpg", image_bytes("JPEG", (1200, 800))), upload("small.png", image_bytes("PNG", (300, 200)))]
    media_originals_store(item=item, files=media_check_uploads(files))

    media_process_item(item.pk)

    item.refresh_from_db()
    big, small = ContentMedia.objects.filter(item=item).order_by("position")
    assert item.status == Status.DRAFT
    assert (item.media.name, item.poster.name, item.media_width, item.media_height) == (big.file.name, "", 1200, 800)
    assert [(r.file_type, r.width, r.height, r.poster.name) for r in (big, small)] == [
        ("image/webp", 1200, 800, ""),
        ("image/webp", 300, 200, ""),
    ]
    assert [v["width"] for v in big.variants] == [480, 1080]
    assert small.variants == []
    for name, size in [(big.file.name, (1200, 800)), (small.file.name, (300, 200))] + [
        (v["name"], (v["width"], round(800 * v["width"] / 1200))) for v in big.variants
    ]:
        with Image.open(media_root / name) as image:
            assert (image.format, image.size) == ("WEBP", size)
    assert _files(media_root) == {big.file.name, small.file.name, *(v["name"] for v in big.variants)}


def test_a_second_run_of_a_ready_item_changes_nothing(media_root, make_video):
    item = _stored_video(make_video)
    media_process_item(item.pk)
    before = (ContentItem.objects.filter(pk=item.pk).values().get(), list(ContentMedia.objects.values()))
    files = _files(media_root)

    media_process_item(item.pk)

    assert (ContentItem.objects.filter(pk=item.pk).values().get(), list(ContentMedia.objects.values())) == before
    assert _files(media_root) == files


def test_content_ffmpeg_cannot_read_fails_the_item_keeps_the_original_and_says_why(media_root, make_video):
    item = _processing("video")
    # Stored past the checks (as a file damaged in storage would be): the head of an MP4 without its index.
    row = ContentMedia(item=item, position=0, kind="video", original_type="video/mp4")
    row.original.save("broken.mp4", ContentFile(make_video()[:2048]))

    media_process_item(item.pk)

    item.refresh_from_db()
    row.refresh_from_db()
    assert (item.status, item.status_reason) == (Status.FAILED, VIDEO_FAILED)
    assert (item.media.name, row.file.name, row.processed_at) == ("", "", None)
    assert storages["private"].size(row.original.name) == 2048
    assert _files(media_root) == set()


@pytest.fixture
def flaky_originals(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "tests.content.media.storages.FlakyStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    FlakyStorage.failures, FlakyStorage.opens = 0, 0
    return FlakyStorage


def test_a_transient_storage_error_is_retried_then_the_item_is_ready(flaky_originals, media_root):
    item = _processing("image")
    media_originals_store(item=item, files=media_check_uploads([upload("a.jpg", image_bytes())]))
    flaky_originals.failures = 1

    result = media_process.apply(args=[item.pk])

    item.refresh_from_db()
    assert result.successful()
    assert (flaky_originals.failures, flaky_originals.opens) == (0, 2)
    assert (item.status, item.status_reason) == (Status.PENDING, "")


def test_retries_are_bounded_then_the_item_fails_with_a_reason(flaky_originals, media_root):
    item = _processing("image")
    media_originals_store(item=item, files=media_check_uploads([upload("a.jpg", image_bytes())]))
    flaky_originals.failures = 100

    media_process.apply(args=[item.pk])

    item.refresh_from_db()
    assert flaky_originals.opens == MEDIA_MAX_RETRIES + 1
    assert (item.status, item.status_reason) == (Status.FAILED, GAVE_UP)
    assert ContentMedia.objects.get(item=item).original.name
    assert _files(media_root) == set()


def test_the_task_has_its_name_queue_and_late_acknowledgement(settings):
    assert media_process.name == "content.media_process"
    assert media_process.acks_late is True
    assert settings.CELERY_TASK_ROUTES["content.media_process"] == {"queue": "media"}


def test_a_failed_item_is_retried_from_its_kept_original(
    media_root, eager_celery, django_capture_on_commit_callbacks, moderation_rules
):
    item = _processing("image")
    media_originals_store(item=item, files=media_check_uploads([upload("a.jpg", image_bytes())]))
    media_fail(item_id=item.pk, reason=GAVE_UP)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        retried = media_retry(item=item)

    item.refresh_from_db()
    assert retried.status == Status.PROCESSING
    # The processing task; the media ready, the item submitted to review; its screening (moderation),
    # which holds it for a moderator: its creator's account is new.
    assert len(queued) == 3
    assert (item.status, item.status_reason, item.media.name) == (
        Status.PENDING,
        "",
        ContentMedia.objects.get().file.name,
    )


@pytest.mark.parametrize("status", [Status.PROCESSING, Status.PUBLISHED, Status.DRAFT])
def test_only_a_failed_item_is_retried(status, django_capture_on_commit_callbacks):
    item = ContentItemFactory(status=status)

    with django_capture_on_commit_callbacks(execute=False) as queued, pytest.raises(ApplicationError) as refused:
        media_retry(item=item)

    assert refused.value.code == "invalid_transition"
    assert queued == []
    assert ContentItem.objects.get(pk=item.pk).status == status
