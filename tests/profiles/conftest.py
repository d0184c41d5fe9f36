from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def archive_storage(settings, tmp_path) -> Path:
    """Private storage (where the archive goes) is a fresh directory; returns it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "feedsite.storage.PrivateFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path
