"""Recognise and process media: the real type of a file from its bytes, image sizes, video posters.

ffmpeg is the static binary shipped by the ``imageio-ffmpeg`` package, so nothing needs to be
installed system-wide. Everything here is pure: functions take bytes and return bytes; storing
the result (``default_storage``) is the caller's job.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from feedsite.errors import ApplicationError

# 4 s is the longest clip the seed renders; ffmpeg gets this long before it counts as hung.
FFMPEG_TIMEOUT_SECONDS = 60


class MediaError(ApplicationError):
    """ffmpeg failed or is missing, or a file is not the media it claims to be."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="media_error")


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped by ``imageio-ffmpeg``."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def run_ffmpeg(args: list[str]) -> bytes:
    try:
        done = subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args],
            capture_output=True,
            timeout=FFMPEG_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MediaError(f"ffmpeg could not run: {exc}") from exc
    if done.returncode != 0:
        raise MediaError(f"ffmpeg failed: {done.stderr.decode(errors='replace')[-500:]}")
    return done.stdout


def video_poster(*, video: bytes, at_ms: int = 0, quality: int = 4) -> bytes:
    """A JPEG of the frame of ``video`` at ``at_ms`` (ffmpeg ``-q:v`` ``quality``: 2 best … 31 worst)."""
    with tempfile.TemporaryDirectory(prefix="feedsite-poster-") as tmp:
        source = Path(tmp) / "in.mp4"
        source.write_bytes(video)
        args = ["-ss", f"{at_ms / 1000:.3f}", "-i", str(source), "-frames:v", "1"]
        return run_ffmpeg([*args, "-q:v", str(quality), "-f", "image2pipe", "-c:v", "mjpeg", "pipe:1"])


def media_sniff(data: bytes) -> str | None:
    """``"jpeg"``, ``"png"``, ``"mp4"`` or ``None``, from the file's first bytes (never its name)."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    # An ISO base media file starts with a box: 4-byte size, then the type "ftyp".
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return "mp4"
    return None


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of an encoded image; raises ``MediaError`` when Pillow cannot read it."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except OSError as exc:
        raise MediaError(f"Not an image Pillow can read: {exc}") from exc
