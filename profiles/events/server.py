"""Events the server itself witnesses (an add-to-cart through the cart API, a purchase at checkout).

They take the same road as the browser's: ``events_ingest`` validates them against the same
contract, honours the shopper's consent, dedupes by ``event_id`` and makes them durable. A client
that also tracks the action sends the same ``event_id``, so the action is counted once whichever
copy arrives first.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from profiles.events.ingest import IngestResult, events_ingest
from profiles.events.types import SERVER_TYPES
from profiles.models import Shopper

# Not a browser, and not a bot either (``ingest.is_bot`` drops empty and crawler user agents).
SERVER_USER_AGENT = "feedsite-server/1 (server-side events)"


def server_event_id(prefix: str) -> str:
    """A fresh event id for an action only the server saw, e.g. ``purchase:6f1c…``."""
    return f"{prefix}:{uuid.uuid4().hex}"


def events_record_server(*, shopper: Shopper, events: list[dict[str, Any]]) -> IngestResult:
    """Record events made by the server for ``shopper``; returns the ingestion result.

    Each event is a raw event of the public contract (``profiles.events.schema``); ``ts`` defaults
    to now and ``event_id`` to a fresh server id. Besides a client's types, the server's own
    (``types.SERVER_TYPES``: a message's open and click) are accepted. Nothing is recorded when the shopper refused
    personalization, exactly as for the browser's events.
    """
    now = time.time()
    raw = [{"ts": now, **event} for event in events]
    for event in raw:
        event.setdefault("event_id", server_event_id(event.get("type", "event")))
    return events_ingest(shopper=shopper, raw_events=raw, user_agent=SERVER_USER_AGENT, allowed_types=SERVER_TYPES)
