"""The media pipeline: originals stored privately, then made into what shoppers are served.

``media_originals_store`` keeps a processing item's checked uploads in the private storage (one
``ContentMedia`` row each). ``media_process_item`` (the body of the Celery task
``content.media_process``) makes of each original an H.264/AAC MP4 with a poster, or WebP images,
in the default storage, then moves the item to draft or review as its creator asked.
"""

from __future__ import annotations

import io
import logging
import shutil
import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from PIL import Image

from content.media.checks import CheckedFile
from content.media.ffmpeg import MediaError, MediaTimeout, ffprobe, pipeline_ffmpeg_exe, poster_of, run_ffmpeg
from content.media.images import image_webp
from content.models import ContentItem, ContentMedia
from content.services import content_transition
from feedsite.errors import ApplicationError

logger = logging.getLogger(__name__)
T = TypeVar("T")
Status = ContentItem.Status

# Two cores are shared with the web and the other queues: one transcode uses both, no more.
FFMPEG_THREADS = 2
AUDIO_BITRATE = "128k"
# Posters are taken this far in (or half-way through a shorter video): the first frame is often black.
POSTER_AT_MS = 1000


class MediaTransientError(Exception):
    """The pipeline could not finish for a reason that may pass (storage, a timeout): retry."""


class MediaFailed(Exception):
    """The media itself cannot be processed; ``reason`` is what the creator is told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _stored_name(extension: str) -> str:
    """A storage name from the sniffed type; the upload's own name is never used."""
    return f"{uuid.uuid4().hex}{extension}"


@transaction.atomic
def media_originals_store(*, item: ContentItem, files: Sequence[CheckedFile]) -> list[ContentMedia]:
    """Store ``files`` (from ``media_check_uploads``) as the private originals of ``item``, in
    order (positions 0..n-1); returns the new rows.

    ``item`` must be ``processing``, of the files' kind, and have no media yet; otherwise raises
    ``ApplicationError`` and stores nothing. Files already written are deleted if a later one fails.
    """
    locked = ContentItem.objects.select_for_update().get(pk=item.pk)
    if locked.status != Status.PROCESSING:
        raise ApplicationError(
            f"Media can be added only while an item is processing; this one is {locked.get_status_display().lower()}.",
            code="invalid_state",
            extra={"status": locked.status},
        )
    if not files:
        raise ApplicationError("There is no file to store.", code="no_file")
    kinds = {checked.kind for checked in files}
    if kinds != {locked.kind}:
        raise ApplicationError(
            f"A {locked.get_kind_display().lower()} item cannot hold {' and '.join(sorted(kinds))} files.",
            code="mixed_media",
            extra={"kind": locked.kind},
        )
    if ContentMedia.objects.filter(item=locked).exists():
        raise ApplicationError("This item already has its media.", code="media_exists")
    rows: list[ContentMedia] = []
    try:
        for position, checked in enumerate(files):
            row = ContentMedia(
                item=locked,
                position=position,
                kind=checked.kind,
                original_type=checked.content_type,
                original_bytes=checked.size,
                width=checked.width,
                height=checked.height,
                duration_ms=checked.duration_ms,
            )
            checked.content.seek(0)
            row.original.save(_stored_name(checked.extension), checked.content, save=False)
            rows.append(row)
        ContentMedia.objects.bulk_create(rows)
    except BaseException:
        for row in rows:
            row.original.storage.delete(row.original.name)
        raise
    return rows


@transaction.atomic
def media_upload_start(*, item: ContentItem, files: Sequence[CheckedFile], intent: str) -> list[ContentMedia]:
    """A new item without media (a draft just made by ``content_create``) takes its upload:
    it becomes ``processing`` with ``intent`` and its originals are stored. The caller queues
    ``content.tasks.media_process_enqueue`` in the same transaction.

    Raises ``ApplicationError(code="invalid_state")`` for an item that is not a draft without media.
    """
    locked = ContentItem.objects.select_for_update().get(pk=item.pk)
    if locked.status != Status.DRAFT or locked.media or ContentMedia.objects.filter(item=locked).exists():
        raise ApplicationError("Only a new item without media can take an upload.", code="invalid_state")
    # The upload's first state, not a step of the review workflow: nobody has seen the item yet.
    locked.status, locked.intent = Status.PROCESSING, intent
    locked.save(update_fields=["status", "intent"])
    return media_originals_store(item=locked, files=files)


# What the creator is told; the technical detail goes to the log.
VIDEO_FAILED = "The video could not be converted: the file may be damaged or use an encoding we cannot read."
IMAGE_FAILED = "An image could not be converted: the file may be damaged."
NOTHING_UPLOADED = "The upload has no file: upload the media again."
GAVE_UP = "The media could not be processed for now; try again later."


def target_size(width: int, height: int, *, max_lines: int) -> tuple[int, int]:
    """The output size of a ``width``×``height`` video: the shorter side at most ``max_lines``
    (720p, portrait or landscape), never enlarged, aspect kept, both sides even (yuv420p)."""
    scale = min(1.0, max_lines / min(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def transcode_timeout(duration_ms: int) -> float:
    """How long ffmpeg may take on a video of this length before the try counts as hung."""
    return 120 + 4 * duration_ms / 1000


def _copy_original(row: ContentMedia, to: Path) -> None:
    try:
        with row.original.storage.open(row.original.name, "rb") as source, to.open("wb") as target:
            shutil.copyfileobj(source, target, length=1024 * 1024)
    except OSError as exc:
        raise MediaTransientError(f"original {row.original.name} could not be read: {exc}") from exc


def _save(field: FieldFile, name: str, content: File) -> None:
    try:
        field.save(name, content, save=False)
    except OSError as exc:
        raise MediaTransientError(f"{name} could not be stored: {exc}") from exc


def _ffmpeg_step(what: str, step: Callable[[], T], *, failed: str) -> T:
    """Run ``step``: a timeout or a missing binary may pass (transient); ffmpeg refusing the content does not."""
    try:
        return step()
    except MediaTimeout as exc:
        raise MediaTransientError(f"{what}: {exc.message}") from exc
    except MediaError as exc:
        if exc.code == "unavailable":
            raise MediaTransientError(f"{what}: {exc.message}") from exc
        logger.warning("media: %s failed: %s", what, exc.message)
        raise MediaFailed(failed) from exc


def _video(row: ContentMedia) -> None:
    exe = pipeline_ffmpeg_exe()
    with tempfile.TemporaryDirectory(prefix="feedsite-media-") as tmp:
        source, output = Path(tmp) / "original", Path(tmp) / "out.mp4"
        _copy_original(row, source)
        probe = _ffmpeg_step(f"probe of {row}", lambda: ffprobe(source), failed=VIDEO_FAILED)
        width, height = target_size(probe.width, probe.height, max_lines=settings.MEDIA_VIDEO_MAX_LINES)
        args = ["-i", str(source), "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn", "-map_metadata", "-1"]
        args += ["-vf", f"scale={width}:{height},setsar=1", "-fpsmax", "30"]
        args += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"]
        args += ["-c:a", "aac", "-b:a", AUDIO_BITRATE, "-movflags", "+faststart", "-threads", str(FFMPEG_THREADS)]
        timeout = transcode_timeout(probe.duration_ms)
        _ffmpeg_step(
            f"transcode of {row}",
            lambda: run_ffmpeg([*args, str(output)], timeout=timeout, exe=exe),
            failed=VIDEO_FAILED,
        )
        made = _ffmpeg_step(f"probe of {row}'s output", lambda: ffprobe(output), failed=VIDEO_FAILED)
        at_ms = min(POSTER_AT_MS, made.duration_ms // 2)
        poster = _ffmpeg_step(f"poster of {row}", lambda: poster_of(output, at_ms=at_ms, exe=exe), failed=VIDEO_FAILED)
        base = uuid.uuid4().hex
        with output.open("rb") as made_file:
            _save(row.file, f"{base}.mp4", File(made_file))
        _save(row.poster, f"{base}.jpg", ContentFile(poster))
    row.file_type = "video/mp4"
    row.width, row.height, row.duration_ms = made.width, made.height, made.duration_ms


def _image(row: ContentMedia) -> None:
    try:
        with row.original.storage.open(row.original.name, "rb") as source:
            data = source.read()
    except OSError as exc:
        raise MediaTransientError(f"original {row.original.name} could not be read: {exc}") from exc
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image = opened.copy()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        logger.warning("media: %s could not be decoded: %s", row, exc)
        raise MediaFailed(IMAGE_FAILED) from exc
    base = uuid.uuid4().hex
    main, (width, height) = image_webp(image)
    _save(row.file, f"{base}.webp", ContentFile(main))
    variants = []
    for wanted in sorted(settings.MEDIA_IMAGE_WIDTHS):
        if wanted >= width:
            continue  # never enlarged; the main file serves that width
        resized, _ = image_webp(image, width=wanted)
        name = row.file.field.generate_filename(row, f"{base}-{wanted}.webp")
        try:
            stored = row.file.storage.save(name, ContentFile(resized))
        except OSError as exc:
            raise MediaTransientError(f"{name} could not be stored: {exc}") from exc
        variants.append({"width": wanted, "name": stored})
    row.file_type, row.poster, row.variants = "image/webp", "", variants
    row.width, row.height, row.duration_ms = width, height, None


def _item_ready(item_id: int) -> None:
    """Point the item at position 0's processed files and move it on as its creator asked."""
    with transaction.atomic():
        item = ContentItem.objects.select_for_update().get(pk=item_id)
        if item.status != Status.PROCESSING:
            return
        first = item.media_files.order_by("position").first()
        assert first is not None
        item.media, item.poster = first.file.name, first.poster.name
        item.media_width, item.media_height, item.duration_ms = first.width, first.height, first.duration_ms
        item.save(update_fields=["media", "poster", "media_width", "media_height", "duration_ms"])
        to = Status.PENDING if item.intent == ContentItem.Intent.PUBLISH else Status.DRAFT
        content_transition(item=item, to=to, reason="")


def media_fail(*, item_id: int, reason: str) -> None:
    """Move a processing item to ``failed`` with ``reason`` (what its creator is told); its
    originals are kept for a retry. Does nothing to an item no longer processing."""
    with transaction.atomic():
        item = ContentItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None or item.status != Status.PROCESSING:
            return
        content_transition(item=item, to=Status.FAILED, reason=reason)


def media_process_item(item_id: int) -> None:
    """Make the served files of a processing item's originals, then move it to draft or review.

    Idempotent: an item that is not processing (ready, failed, removed) is left alone, and files
    already made are not made again. Raises ``MediaTransientError`` for what may pass (storage,
    timeouts): the task retries. A file that cannot be processed moves the item to ``failed``
    with a reason; the originals are kept.
    """
    item = ContentItem.objects.filter(pk=item_id).first()
    if item is None or item.status != Status.PROCESSING:
        return
    rows = list(item.media_files.order_by("position"))
    if not rows:
        media_fail(item_id=item_id, reason=NOTHING_UPLOADED)
        return
    try:
        for row in rows:
            if row.processed_at is not None:
                continue
            (_video if row.kind == ContentMedia.Kind.VIDEO else _image)(row)
            row.processed_at = timezone.now()
            row.save()
    except MediaFailed as failed:
        media_fail(item_id=item_id, reason=failed.reason)
        return
    _item_ready(item_id)
