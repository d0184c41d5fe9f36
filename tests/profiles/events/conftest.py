from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from profiles.events.consumer import EventConsumer
from profiles.events.event import Event
from profiles.models import Shopper
from tests.profiles.conftest import visitor_of

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"
_ids = itertools.count()


def make_event(item: int, type: str = "view", **extra: Any) -> dict[str, Any]:
    return {"event_id": f"evt-{next(_ids):06d}-{time.time_ns()}", "type": type, "item": item, "ts": time.time()} | extra


def stream_event(
    shopper_id: int, item_id: int, type: str = "like", ts: float | None = None, event_id: str = "", **fields: Any
) -> Event:
    """An accepted event, as ingestion appends it and the consumer reads it (``ts`` in Unix seconds)."""
    return Event(
        event_id=event_id or f"e-{next(_ids):06d}-{time.time_ns()}",
        shopper_id=shopper_id,
        item_id=item_id,
        type=type,
        occurred_at=datetime.fromtimestamp(time.time() if ts is None else ts, tz=UTC),
        **fields,
    )


@pytest.fixture
def browser() -> Client:
    """A browser with a visitor cookie (from a first feed request) and a normal user agent."""
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.get("/api/v1/feed")
    return client


@pytest.fixture
def shopper_of():
    def resolve(client: Client) -> Shopper:
        return visitor_of(client)

    return resolve


def post_events(client: Client, events: list[Any], **headers: Any):
    return client.post("/api/v1/events", {"events": events}, content_type="application/json", **headers)


@pytest.fixture
def consumer() -> EventConsumer:
    return EventConsumer(name="test-consumer", block_ms=0)
