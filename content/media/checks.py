"""Checks of uploads before anything is stored: the real type, size, duration, dimensions, pixels.

``media_check_uploads`` (a post's files) and ``image_check`` (an avatar) read each upload, refuse
the first bad one with ``MediaRefused`` (the API's error shape, one sentence naming the file and
the limit) and return what may be stored: images decoded and encoded again without metadata,
videos as uploaded once ffprobe has read them. They never write to any storage.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image
from rest_framework import status

from content.media.ffmpeg import MediaError, Probe, ffprobe
from content.media.images import header_size, image_reencode
from content.media.sniff import ACCEPTED, SNIFF_BYTES, MediaType, sniff_type
from feedsite.errors import ApplicationError

VIDEO_TYPES = "MP4, MOV or WebM"
IMAGE_TYPES = "JPEG, PNG or WebP"
# What Pillow may call each accepted image type (phones write multi-picture JPEGs, "MPO").
PILLOW_FORMATS = {"image/jpeg": {"JPEG", "MPO"}, "image/png": {"PNG"}, "image/webp": {"WEBP"}}


class MediaRefused(ApplicationError):
    """An upload refused before it is stored. ``code`` is one of ``unsupported_type``, ``too_large``,
    ``too_long``, ``too_short``, ``too_many_pixels``, ``too_big_dimensions``, ``too_many_files``,
    ``mixed_media``, ``unreadable``, ``no_file`` or ``unavailable`` (no ffprobe on the server);
    ``extra`` is ``{"file": <upload name>, "limit": <number or list>}``.
    """

    def __init__(self, message: str, *, code: str, file: str, limit: Any) -> None:
        super().__init__(message, code=code, extra={"file": file, "limit": limit})
        if code == "unavailable":
            self.http_status = status.HTTP_503_SERVICE_UNAVAILABLE


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, and what to store of it."""

    kind: str  # "video" | "image"
    content_type: str  # sniffed from the bytes
    extension: str  # of the sniffed type, for stored names
    content: File  # images re-encoded without metadata; videos as uploaded
    size: int
    width: int
    height: int
    duration_ms: int | None
    video_codec: str | None
    source_name: str  # the upload's name, for messages only


def _name(upload: UploadedFile) -> str:
    return os.path.basename(upload.name or "") or "upload"


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def _seconds(ms: int) -> str:
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}".removesuffix(".0") + " s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def _sniff(upload: UploadedFile, *, allowed: set[str], what: str) -> MediaType:
    """The accepted type of ``upload``'s bytes, or ``MediaRefused`` (``no_file``, ``unsupported_type``)."""
    name = _name(upload)
    if not upload.size:
        raise MediaRefused(f"“{name}” is empty: choose the file again.", code="no_file", file=name, limit=None)
    found = sniff_type(_head(upload))
    if found not in allowed:
        said = f"its contents are {found}" if found else "its contents are not a known media type"
        raise MediaRefused(
            f"“{name}” is not {what}: {said}.", code="unsupported_type", file=name, limit=sorted(allowed)
        )
    return ACCEPTED[found]


def _image(upload: UploadedFile, media_type: MediaType, *, max_bytes: int) -> CheckedFile:
    limits = settings.MEDIA_LIMITS
    name = _name(upload)
    size = int(upload.size or 0)
    if size > max_bytes:
        raise MediaRefused(
            f"“{name}” is {_megabytes(size)}; an image may be at most {_megabytes(max_bytes)}.",
            code="too_large",
            file=name,
            limit=max_bytes,
        )
    max_pixels, max_side = limits["image_max_pixels"], limits["image_max_side"]
    too_many_pixels = MediaRefused(
        f"“{name}” has too many pixels; an image may have at most {max_pixels / 1e6:g} megapixels.",
        code="too_many_pixels",
        file=name,
        limit=max_pixels,
    )
    unreadable = MediaRefused(
        f"“{name}” could not be read as an image: it may be damaged or incomplete.",
        code="unreadable",
        file=name,
        limit=None,
    )
    # The header's size is checked before a pixel is decoded: a bomb is small until it is decoded.
    try:
        pillow_format, (width, height) = header_size(upload)
    except Image.DecompressionBombError as exc:
        raise too_many_pixels from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise unreadable from exc
    if pillow_format not in PILLOW_FORMATS[media_type.content_type]:
        raise unreadable
    if width * height > max_pixels:
        raise too_many_pixels
    if max(width, height) > max_side:
        raise MediaRefused(
            f"“{name}” is {width}×{height} pixels; its longest side may be at most {max_side} pixels.",
            code="too_big_dimensions",
            file=name,
            limit=max_side,
        )
    upload.seek(0)
    try:
        data, (width, height) = image_reencode(upload, image_format=media_type.decoder_format)
    except Image.DecompressionBombError as exc:
        raise too_many_pixels from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise unreadable from exc
    finally:
        upload.seek(0)
    return CheckedFile(
        kind="image",
        content_type=media_type.content_type,
        extension=media_type.extension,
        content=ContentFile(data, name=f"image{media_type.extension}"),
        size=len(data),
        width=width,
        height=height,
        duration_ms=None,
        video_codec=None,
        source_name=name,
    )


@contextmanager
def _local_path(upload: UploadedFile) -> Iterator[Path]:
    """A path to ``upload``'s bytes: its temporary file, or a copy of an upload held in memory."""
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        yield Path(temporary())
        return
    with tempfile.NamedTemporaryFile(prefix="feedsite-upload-") as copy:
        upload.seek(0)
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        upload.seek(0)
        yield Path(copy.name)


def _probe(upload: UploadedFile, media_type: MediaType) -> Probe:
    name = _name(upload)
    try:
        with _local_path(upload) as path:
            probe = ffprobe(path, input_format=media_type.decoder_format.split(",")[0])
    except MediaError as exc:
        if exc.code == "unavailable":
            raise MediaRefused(
                f"Videos cannot be checked on this server (ffprobe is missing), so “{name}” was not accepted; "
                "upload images, or try again once the server is fixed.",
                code="unavailable",
                file=name,
                limit=None,
            ) from exc
        raise MediaRefused(
            f"“{name}” could not be read as a video: it may be damaged or incomplete.",
            code="unreadable",
            file=name,
            limit=None,
        ) from exc
    if probe.format_name != media_type.decoder_format:
        raise MediaRefused(
            f"“{name}” could not be read as a video: it may be damaged or incomplete.",
            code="unreadable",
            file=name,
            limit=None,
        )
    return probe


def _video(upload: UploadedFile, media_type: MediaType) -> CheckedFile:
    limits = settings.MEDIA_LIMITS
    name = _name(upload)
    size = int(upload.size or 0)
    if size > limits["video_max_bytes"]:
        raise MediaRefused(
            f"“{name}” is {_megabytes(size)}; a video may be at most {_megabytes(limits['video_max_bytes'])}.",
            code="too_large",
            file=name,
            limit=limits["video_max_bytes"],
        )
    probe = _probe(upload, media_type)
    longest, shortest = limits["video_max_seconds"] * 1000, limits["video_min_seconds"] * 1000
    if probe.duration_ms > longest:
        raise MediaRefused(
            f"“{name}” lasts {_seconds(probe.duration_ms)}; a video may last at most {_seconds(longest)}.",
            code="too_long",
            file=name,
            limit=limits["video_max_seconds"],
        )
    if probe.duration_ms < shortest:
        raise MediaRefused(
            f"“{name}” lasts {_seconds(probe.duration_ms)}; a video must last at least {_seconds(shortest)}.",
            code="too_short",
            file=name,
            limit=limits["video_min_seconds"],
        )
    if max(probe.width, probe.height) > limits["video_max_side"]:
        raise MediaRefused(
            f"“{name}” is {probe.width}×{probe.height} pixels; "
            f"its longest side may be at most {limits['video_max_side']} pixels.",
            code="too_big_dimensions",
            file=name,
            limit=limits["video_max_side"],
        )
    upload.seek(0)
    return CheckedFile(
        kind="video",
        content_type=media_type.content_type,
        extension=media_type.extension,
        content=upload,
        size=size,
        width=probe.width,
        height=probe.height,
        duration_ms=probe.duration_ms,
        video_codec=probe.video_codec,
        source_name=name,
    )


def media_check_uploads(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    """The files of one post, checked: exactly one video (MP4, MOV, WebM) or 1 to
    ``MEDIA_LIMITS["carousel_max_images"]`` images (JPEG, PNG, WebP), in the order given.

    Raises ``MediaRefused`` for the first bad file (types and counts first, then each file's
    limits); never writes to any storage.
    """
    if not files:
        raise MediaRefused(
            f"Choose one video ({VIDEO_TYPES}) or up to "
            f"{settings.MEDIA_LIMITS['carousel_max_images']} images ({IMAGE_TYPES}) to upload.",
            code="no_file",
            file="",
            limit=None,
        )
    accepted = set(ACCEPTED)
    types = [
        _sniff(upload, allowed=accepted, what=f"a video ({VIDEO_TYPES}) or an image ({IMAGE_TYPES})")
        for upload in files
    ]
    videos = [upload for upload, t in zip(files, types, strict=True) if t.kind == "video"]
    images = [upload for upload, t in zip(files, types, strict=True) if t.kind == "image"]
    most = settings.MEDIA_LIMITS["carousel_max_images"]
    if videos and images:
        raise MediaRefused(
            f"“{_name(images[0])}” is an image and “{_name(videos[0])}” a video; "
            f"a post is one video or up to {most} images, not both.",
            code="mixed_media",
            file=_name(files[-1]),
            limit=[1, most],
        )
    if len(videos) > 1:
        raise MediaRefused(
            f"“{_name(videos[1])}” is a second video; a post has exactly one video.",
            code="too_many_files",
            file=_name(videos[1]),
            limit=1,
        )
    if len(images) > most:
        raise MediaRefused(
            f"“{_name(images[most])}” is image {most + 1}; a post has at most {most} images.",
            code="too_many_files",
            file=_name(images[most]),
            limit=most,
        )
    if videos:
        return [_video(videos[0], types[0])]
    max_bytes = settings.MEDIA_LIMITS["image_max_bytes"]
    return [_image(upload, t, max_bytes=max_bytes) for upload, t in zip(files, types, strict=True)]


def image_check(upload: UploadedFile, *, max_bytes: int) -> CheckedFile:
    """One image (an avatar, a poster): JPEG, PNG or WebP, at most ``max_bytes``, re-encoded
    without metadata. Raises ``MediaRefused``; never writes to any storage."""
    images = {mime for mime, t in ACCEPTED.items() if t.kind == "image"}
    media_type = _sniff(upload, allowed=images, what=f"an image ({IMAGE_TYPES})")
    return _image(upload, media_type, max_bytes=max_bytes)
