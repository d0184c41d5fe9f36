"""Shared fixtures. With REDIS_URL set, tests use that Redis (a throwaway database: it is flushed)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from feedsite import realtime


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Password hashing is not what any test is about; the fast hasher keeps factories quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clean_realtime_store() -> Iterator[None]:
    """Every test starts with an empty real-time store (Redis or the in-process stand-in)."""
    realtime.reset_for_tests()
    with contextlib.suppress(realtime.RealtimeUnavailable):
        realtime.client().flushdb()
    yield
    realtime.reset_for_tests()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def realtime_down(settings) -> Iterator[None]:
    """The real-time store is unreachable: a real connection to a port nobody listens on."""
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    realtime.reset_for_tests()
    yield
    realtime.reset_for_tests()
