"""Render the demo's media pool and store each file once in ``default_storage``.

Content items share pool files by stored name. A file's name carries a digest of everything that
decides its bytes, so a pool already in storage (a re-seed after the database was reset) is reused
instead of rendered again. Files are written before any database row: a failed seed leaves
files behind, never rows pointing at missing files.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import astuple, dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from content import media
from profiles.demo import render
from profiles.demo.plan import IMAGE_SIZE, VIDEO_SIZE, ImageSpec, VideoSpec

# Bump when the renderers change what they draw, so stored pools are not reused.
RENDER_VERSION = 1
POSTER_AT_MS = 1200


@dataclass(frozen=True)
class Stored:
    """A pool file as content items reference it."""

    name: str
    width: int
    height: int
    duration_ms: int | None = None
    poster: str = ""


def _name(folder: str, spec: ImageSpec | VideoSpec, extension: str) -> str:
    digest = hashlib.sha256(repr((RENDER_VERSION, astuple(spec))).encode()).hexdigest()[:12]
    return f"demo/{folder}/{spec.key}-{digest}.{extension}"


def _save(name: str, data: bytes) -> str:
    return default_storage.save(name, ContentFile(data))


def _video_files(spec: VideoSpec) -> tuple[bytes, bytes]:
    width, height = VIDEO_SIZE
    video = render.video_render(
        title=spec.title,
        subtitle=spec.subtitle,
        badge=spec.badge,
        shape=spec.shape,
        palette=render.PALETTES[spec.palette],
        seed=spec.seed,
        width=width,
        height=height,
        duration_ms=spec.duration_ms,
    )
    return video, media.video_poster(video=video, at_ms=min(POSTER_AT_MS, spec.duration_ms // 2))


def _image(spec: ImageSpec) -> bytes:
    width, height = IMAGE_SIZE
    return render.image_render(
        title=spec.title,
        subtitle=spec.subtitle,
        badge=spec.badge,
        shape=spec.shape,
        palette=render.PALETTES[spec.palette],
        seed=spec.seed,
        width=width,
        height=height,
    )


def pool_store(*, images: list[ImageSpec], videos: list[VideoSpec]) -> dict[str, Stored]:
    """Render what storage lacks and store it; returns each spec's key → stored file.

    Videos render in ffmpeg processes, one per CPU, while this thread draws the images; only
    this thread writes to storage (storage backends are not promised to be thread-safe).
    """
    stored: dict[str, Stored] = {}
    names = {spec.key: (_name("videos", spec, "mp4"), _name("posters", spec, "jpg")) for spec in videos}
    missing = [spec for spec in videos if not all(default_storage.exists(name) for name in names[spec.key])]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="demo-video") as workers:
        rendering: dict[str, Future[tuple[bytes, bytes]]] = {
            spec.key: workers.submit(_video_files, spec) for spec in missing
        }
        for image in images:
            name = _name("images", image, "jpg")
            if not default_storage.exists(name):
                name = _save(name, _image(image))
            stored[image.key] = Stored(name=name, width=IMAGE_SIZE[0], height=IMAGE_SIZE[1])
        for video in videos:
            name, poster = names[video.key]
            if video.key in rendering:
                data, still = rendering[video.key].result()
                name, poster = _save(name, data), _save(poster, still)
            stored[video.key] = Stored(
                name=name, width=VIDEO_SIZE[0], height=VIDEO_SIZE[1], duration_ms=video.duration_ms, poster=poster
            )
    return stored
