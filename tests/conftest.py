"""Shared fixtures. With REDIS_URL set, tests use that Redis (a throwaway database: it is flushed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from feedsite import realtime


@pytest.fixture(autouse=True)
def _clean_realtime_store() -> Iterator[None]:
    """Every test starts with an empty real-time store (Redis or the in-process stand-in)."""
    realtime.reset_for_tests()
    try:
        realtime.client().flushdb()
    except realtime.RealtimeUnavailable:
        pass
    yield
    realtime.reset_for_tests()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
