"""Fixtures of the automatic checks' tests."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

from moderation.checks import classifier


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """The public media storage of this test: a folder of its own."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/media/"},
        },
    }
    return root


@pytest.fixture
def weak_pipeline(monkeypatch) -> None:
    """Training makes a model that says 0.5 to everything: at any threshold above it, it finds nothing."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    original = classifier._pipeline

    def weak() -> Pipeline:
        pipeline = original()
        pipeline.set_params(model=LogisticRegression(C=1e-9, class_weight="balanced"))
        return pipeline

    monkeypatch.setattr(classifier, "_pipeline", weak)


def picture(seed: int, *, size: int = 256, shift: int = 0, quality: int = 90) -> bytes:
    """A JPEG of blocks and circles drawn from ``seed``; ``shift`` brightens it (a near copy)."""
    import random

    chance = random.Random(seed)
    image = Image.new("RGB", (size, size), (chance.randrange(256), chance.randrange(256), chance.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = chance.randrange(size), chance.randrange(size)
        box = (x, y, x + chance.randrange(20, 120), y + chance.randrange(20, 120))
        colour = (chance.randrange(256), chance.randrange(256), chance.randrange(256))
        (draw.ellipse if chance.random() < 0.5 else draw.rectangle)(box, fill=colour)
    if shift:
        image = image.point(lambda value: min(255, value + shift))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def stored_picture(name: str, data: bytes) -> str:
    return default_storage.save(name, ContentFile(data))


@pytest.fixture(autouse=True)
def _default_rules(moderation_rules) -> None:
    """Every test here starts from the default rules."""
