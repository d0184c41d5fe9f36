"""The client for the real-time store (features, counters, feed sessions).

With ``REDIS_URL`` set this is Redis; without it, one in-process fakeredis server shared by the
whole process, so the same commands run on a bare laptop. Callers must treat Redis as optional:
every use catches ``RealtimeUnavailable`` and degrades (see ``is_unavailable``).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import redis
from django.conf import settings

RealtimeUnavailable = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

_lock = threading.Lock()
_fake_server = None

# A feed request must not hang on a dead Redis: fail within tens of milliseconds and degrade.
SOCKET_TIMEOUT_SECONDS = 0.25
# Workers block up to a few seconds on a stream read; the timeout must outlast that.
WORKER_SOCKET_TIMEOUT_SECONDS = 30.0


def _fake() -> Any:
    import fakeredis

    global _fake_server
    with _lock:
        if _fake_server is None:
            _fake_server = fakeredis.FakeServer()
    return fakeredis.FakeRedis(server=_fake_server)


@functools.cache
def client() -> Any:
    """The shared client (thread-safe connection pool). Responses are bytes.

    Typed ``Any``: redis-py types every reply of its sync client as ``Awaitable | Any``, which
    would force a cast at each call without checking anything.
    """
    if settings.REDIS_URL:
        return redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
            health_check_interval=30,
        )
    return _fake()


@functools.cache
def worker_client() -> Any:
    """For long-lived workers that block on reads (the event consumer): no short read timeout."""
    if settings.REDIS_URL:
        return redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=WORKER_SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS * 4,
            health_check_interval=30,
        )
    return _fake()


def reset_for_tests() -> None:
    """Forget the cached client (settings changed) and empty the in-process store."""
    global _fake_server
    client.cache_clear()
    worker_client.cache_clear()
    with _lock:
        _fake_server = None
