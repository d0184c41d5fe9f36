"""Events parked in the database while the real-time store was down, moved back into the stream.

Ingestion parks them (``ingest``); the consumer replays them once the store answers again.
"""

from __future__ import annotations

from profiles.events import stream
from profiles.events.models import EventBacklog


def backlog_replay(*, limit: int = 1000) -> int:
    """Move parked events into the stream (oldest first); returns how many were moved.

    Safe to run concurrently and twice: the stream's dedupe drops anything already appended.
    """
    rows = list(EventBacklog.objects.order_by("id").values_list("id", "payload")[:limit])
    if not rows:
        return 0
    stream.append([payload for _, payload in rows])
    EventBacklog.objects.filter(id__in=[pk for pk, _ in rows]).delete()
    return len(rows)
