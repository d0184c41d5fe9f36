from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client

from profiles import services
from profiles.middleware import VISITOR_SALT
from profiles.models import Shopper


@pytest.fixture
def archive_storage(settings, tmp_path) -> Path:
    """Private storage (where the archive goes) is a fresh directory; returns it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "feedsite.storage.PrivateFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def visitor_id_of(client: Client) -> uuid.UUID:
    """The visitor id in a test client's signed visitor cookie."""
    return uuid.UUID(signing.Signer(salt=VISITOR_SALT).unsign(client.cookies[settings.VISITOR_COOKIE].value))


def visitor_of(client: Client) -> Shopper:
    """The anonymous shopper behind a test client's visitor cookie, as its first write creates it."""
    return services.shopper_for_visitor(visitor_id=visitor_id_of(client))
