"""The ``EventBacklog`` table: accepted events parked while the real-time store is down, and their replay.

Ingestion parks (``backlog_park``); the consumer replays (``backlog_replay``) once the store is back.
Rows hold the stream's wire format (``Event.to_wire``), so rows parked by any version replay alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from profiles.events import stream
from profiles.events.event import Event
from profiles.events.models import EventBacklog, Interaction


def backlog_park(events: Sequence[Event]) -> set[int]:
    """Park events in the database; returns indexes of duplicates (already stored or parked)."""
    ids = [event.event_id for event in events]
    known = set(Interaction.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
    known |= set(EventBacklog.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
    duplicates = set()
    for index, event in enumerate(events):
        if event.event_id in known:
            duplicates.add(index)
            continue
        try:
            with transaction.atomic():
                EventBacklog.objects.create(event_id=event.event_id, payload=event.to_wire())
        except IntegrityError:  # a concurrent request parked it first
            duplicates.add(index)
    return duplicates


def backlog_replay(*, limit: int = 1000) -> int:
    """Move parked events into the stream (oldest first); returns how many were moved.

    Safe to run concurrently and twice: the stream's dedupe drops anything already appended.
    """
    rows = list(EventBacklog.objects.order_by("id").values_list("id", "payload")[:limit])
    if not rows:
        return 0
    stream.append([Event.from_wire(payload) for _, payload in rows])
    EventBacklog.objects.filter(id__in=[pk for pk, _ in rows]).delete()
    return len(rows)
