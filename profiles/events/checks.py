"""System checks of the event pipeline: the persistence the real-time store has in production.

Accepted events do not depend on it (the write-ahead is in PostgreSQL), but the real-time state
(counters, recent lists, sessions, precomputed feeds) and Celery's queued tasks do: a store that
keeps nothing on disk loses them all when it restarts. A warning, not a refusal: the site works,
and ``rebuild_realtime`` restores the state from PostgreSQL. The management commands that run
system checks show it (``consume_events`` at start-up, ``check --deploy``).
"""

from __future__ import annotations

from typing import Any

import redis
from django.conf import settings
from django.core import checks

from feedsite import realtime

DURABLE_FSYNC = {"everysec", "always"}


def _persistence() -> dict[str, str]:
    client = realtime.client()
    config: dict[str, str] = {}
    for pattern in ("appendonly", "appendfsync", "save"):
        for key, value in client.config_get(pattern).items():
            config[key.decode() if isinstance(key, bytes) else key] = (
                value.decode() if isinstance(value, bytes) else value
            )
    return config


@checks.register("events")
def realtime_persistence_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production, warn unless Redis writes an append-only file with fsync (or say it cannot tell)."""
    if not settings.PRODUCTION or not settings.REDIS_URL:
        return []
    hint = "Run Redis with `appendonly yes` and `appendfsync everysec` (README: Redis persistence and outages)."
    try:
        config = _persistence()
    except (redis.exceptions.ResponseError, *realtime.RealtimeUnavailable) as exc:
        return [
            checks.Warning(
                f"Cannot verify the persistence of the real-time store (CONFIG GET failed: {exc}).",
                hint="A managed Redis may forbid CONFIG: check that it persists (AOF with fsync). " + hint,
                id="events.W002",
            )
        ]
    aof = config.get("appendonly") == "yes"
    if aof and config.get("appendfsync") in DURABLE_FSYNC:
        return []
    if aof or config.get("save"):
        what = "AOF without fsync" if aof else "RDB snapshots only"
        return [
            checks.Warning(
                f"The real-time store persists with {what}: a restart loses the writes since the last "
                "flush or snapshot (real-time state, queued tasks; accepted events are kept in PostgreSQL).",
                hint=hint,
                id="events.W003",
            )
        ]
    return [
        checks.Warning(
            "The real-time store keeps nothing on disk (no AOF, no RDB): a restart loses the real-time state "
            "and queued tasks (accepted events are kept in PostgreSQL; `rebuild_realtime` restores the state).",
            hint=hint,
            id="events.W001",
        )
    ]
