"""Real media for the media tests: tiny videos made by ffmpeg, images made by Pillow, a media folder per test."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# ffmpeg's lavfi inputs: a moving test pattern and a tone.
VideoMaker = Callable[..., bytes]


CODECS = {
    ".mp4": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"],
    ".mov": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"],
    ".webm": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"],
}


def ffmpeg_make(path: Path, *, seconds: float, size: str, audio: bool) -> bytes:
    """A test pattern of ``size`` lasting ``seconds``, with a tone when ``audio``, in the container of ``path``."""
    args = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
    args += ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-shortest"]
    subprocess.run([*args, *CODECS[path.suffix], str(path)], check=True, timeout=120)
    return path.read_bytes()


@pytest.fixture(scope="session")
def make_video(tmp_path_factory) -> VideoMaker:
    """``make_video(seconds=1.5, size="320x240", audio=True, ext=".mp4")``: the bytes, made once per session."""
    folder = tmp_path_factory.mktemp("videos")
    made: dict[tuple[float, str, bool, str], bytes] = {}

    def make(*, seconds: float = 1.5, size: str = "320x240", audio: bool = True, ext: str = ".mp4") -> bytes:
        key = (seconds, size, audio, ext)
        if key not in made:
            made[key] = ffmpeg_make(folder / f"{len(made)}{ext}", seconds=seconds, size=size, audio=audio)
        return made[key]

    return make


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, format=fmt, **save)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """What a browser sends; its name and content type are whatever the sender says."""
    return SimpleUploadedFile(name, data, content_type=content_type)
