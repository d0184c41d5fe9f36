"""Real files for the studio's tests (Pillow images, an ffmpeg clip), creators, and a media folder per test."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from content.models import Creator
from tests.factories import CreatorFactory, UserFactory


def image_bytes(
    fmt: str = "JPEG", size: tuple[int, int] = (64, 96), color: tuple[int, int, int] = (200, 80, 40)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """What a browser sends: its name and type are whatever the sender says."""
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> bytes:
    """A 1.5 s 320x240 H.264/AAC MP4, made once by ffmpeg."""
    path = tmp_path_factory.mktemp("clips") / "clip.mp4"
    args = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
    args += ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1.5"]
    args += ["-f", "lavfi", "-i", "sine=frequency=440:duration=1.5", "-shortest"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)]
    subprocess.run(args, check=True, timeout=120)
    return path.read_bytes()


@pytest.fixture
def images() -> Callable[[int], list[SimpleUploadedFile]]:
    """``images(n)``: n JPEG uploads of different colours."""

    def make(n: int = 3) -> list[SimpleUploadedFile]:
        return [upload(f"look-{i}.jpg", image_bytes(color=(40 * i % 256, 120, 200)), "image/jpeg") for i in range(n)]

    return make


@pytest.fixture(autouse=True)
def _own_media_root(media_root: Path) -> Path:
    """Every studio test stores its media in a folder of its own (``media_root``)."""
    return media_root


@pytest.fixture
def creator(db) -> Creator:
    return CreatorFactory(handle="glowwithmia", status=Creator.Status.APPROVED)


def client_of(user) -> APIClient:
    """An API client with ``user``'s token (session clients are the browser tests')."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def creator_api(creator) -> APIClient:
    return client_of(creator.user)


@pytest.fixture
def shopper_api(db) -> APIClient:
    return client_of(UserFactory())
