"""The media pipeline: originals stored privately, then made into what shoppers are served.

``media_originals_store`` keeps a processing item's checked uploads in the private storage (one
``ContentMedia`` row each). ``media_process_item`` (the body of the Celery task
``content.media_process``) makes of each original an H.264/AAC MP4 with a poster, or WebP images,
in the default storage, then moves the item to draft or review as its creator asked.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from django.db import transaction

from content.media.checks import CheckedFile
from content.models import ContentItem, ContentMedia
from feedsite.errors import ApplicationError

logger = logging.getLogger(__name__)
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
