"""Accepting a batch of events: validate, drop bots, dedupe, and make each accepted event durable.

    raw batch → parse (per-event reasons) → known items → consent
              → backlog_write (PostgreSQL: durable, and what is new) → stream.append (+ recent lists) → consumer

An event is "accepted" only once it is in the write-ahead table (``backlog``): the stream is the
fast path to the consumer, and with the store down the consumer picks the events up from there.
How many events a shopper may send is the API's rate limit (``events`` in
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from content import selectors as content_selectors
from feedsite import realtime
from feedsite.errors import ApplicationError
from profiles.events import stream
from profiles.events.backlog import backlog_write
from profiles.events.consumer import consume_inline
from profiles.events.event import Event
from profiles.events.schema import Rejected, parse_event
from profiles.events.search import SearchEvent, is_search, parse_search_event, search_events_record
from profiles.events.types import CLIENT_TYPES
from profiles.models import Shopper

logger = logging.getLogger(__name__)

MAX_BATCH_EVENTS = 500
BOT_USER_AGENT = re.compile(
    r"bot\b|crawler|spider|slurp|curl/|wget/|python-requests|httpclient|scrapy|facebookexternalhit|preview",
    re.IGNORECASE,
)


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    bots: int = 0
    not_recorded: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    appended: bool = True  # to the stream, as well as to the write-ahead

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "bots": self.bots,
            "not_recorded": self.not_recorded,
            "rejected": self.rejected,
        }


def is_bot(user_agent: str) -> bool:
    return not user_agent or bool(BOT_USER_AGENT.search(user_agent))


def events_ingest(
    *,
    shopper: Shopper,
    raw_events: Any,
    user_agent: str = "",
    now: datetime | None = None,
    allowed_types: frozenset[str] = CLIENT_TYPES,
) -> IngestResult:
    """Accept what is valid in a batch; report duplicates and each rejection with its index and reason.
    ``allowed_types``: the event types accepted (a client's; the server passes its own as well).

    Raises ``ApplicationError`` only for a batch that is not a list or is too large (nothing kept).
    """
    if not isinstance(raw_events, list):
        raise ApplicationError("events must be a list.", code="invalid_batch")
    if len(raw_events) > MAX_BATCH_EVENTS:
        raise ApplicationError(
            f"A batch holds at most {MAX_BATCH_EVENTS} events; split it.",
            code="batch_too_large",
            extra={"max_events": MAX_BATCH_EVENTS, "received": len(raw_events)},
        )
    result = IngestResult()
    if is_bot(user_agent):
        result.bots = len(raw_events)
        return result
    now = now or timezone.now()
    valid: list[tuple[int, Event]] = []
    searches: list[SearchEvent] = []
    seen_ids: set[str] = set()
    for index, raw in enumerate(raw_events):
        try:
            if is_search(raw):
                search = parse_search_event(raw, shopper_id=shopper.pk, now=now)
                if search.event_id in seen_ids:
                    result.duplicates += 1
                else:
                    seen_ids.add(search.event_id)
                    searches.append(search)
                continue
            event = parse_event(raw, shopper_id=shopper.pk, now=now, allowed_types=allowed_types)
        except Rejected as rejected:
            result.rejected.append({"index": index, "reason": rejected.reason, "detail": rejected.detail})
            continue
        if event.event_id in seen_ids:
            result.duplicates += 1
            continue
        seen_ids.add(event.event_id)
        valid.append((index, event))

    known_items = content_selectors.published_ids({e.item_id for _, e in valid})
    kept: list[Event] = []
    for index, event in valid:
        if event.item_id in known_items:
            kept.append(event)
        else:
            result.rejected.append(
                {"index": index, "reason": "unknown_item", "detail": "no published item has this id"}
            )
    result.rejected.sort(key=lambda r: r["index"])

    if not shopper.personalization:
        result.not_recorded = len(kept) + len(searches)
        return result

    if searches:
        # Search intent lives only in the real-time store: with it down, there is none to keep.
        try:
            accepted, duplicates_seen = search_events_record(searches)
        except realtime.RealtimeUnavailable:
            accepted, duplicates_seen, result.not_recorded = 0, 0, len(searches)
        result.accepted += accepted
        result.duplicates += duplicates_seen

    duplicates = backlog_write(kept)
    new = [event for index, event in enumerate(kept) if index not in duplicates]
    try:
        stream.append(new)
    except realtime.RealtimeUnavailable:
        result.appended = False  # accepted all the same: the consumer appends them when the store is back
    result.duplicates += len(duplicates)
    result.accepted += len(new)
    if new and result.appended and settings.EVENTS_CONSUME_INLINE:
        _consume_inline()
    return result


def _consume_inline() -> None:
    try:
        consume_inline()
    except Exception:
        # Accepted is accepted: the batch waits, pending in the stream, for the next drain.
        logger.exception("inline event consumption failed; the events stay pending")
