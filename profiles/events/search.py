"""``search`` events: what a shopper searched for, turned into short-lived intent.

A search event names no item (the other types all do), so it does not go down the item stream:
``events_ingest`` hands it here. Validated like the others (``event_id``, ``ts``, ``session_id``)
plus ``query`` (1–100 characters once control characters are dropped); ``item`` is refused.
Accepting one adds intent (``state.shopper_intent_add``) to the brands, creators and tags of the
query's best matches (``content.search``), weighted by their relevance; the feed's next page
boosts items that carry them (``ranking.intent``). Idempotent per event id (a marker with a day's TTL).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from content.search import clean_query, search_hits
from feedsite import realtime
from feedsite.errors import ApplicationError
from profiles.events.schema import EVENT_ID_RE, TOKEN_RE, Rejected, _timestamp
from profiles.events.state import shopper_intent_add, shopper_key

SEARCH_TYPE = "search"
# The matches whose labels become intent, and the intent one search adds at most to one label.
INTENT_FROM_HITS = 10
INTENT_PER_SEARCH = 1.0
_MARKER_TTL_SECONDS = 86400
_FIELDS = frozenset({"event_id", "type", "ts", "session_id", "query", "context"})


@dataclass(frozen=True)
class SearchEvent:
    event_id: str
    shopper_id: int
    query: str
    occurred_at: datetime
    session_id: str = ""


def is_search(raw: Any) -> bool:
    return isinstance(raw, dict) and raw.get("type") == SEARCH_TYPE


def parse_search_event(raw: dict[str, Any], *, shopper_id: int, now: datetime) -> SearchEvent:
    """Validate one raw ``search`` event; raises ``Rejected`` with the first problem found."""
    unknown = set(raw) - _FIELDS
    if "item" in unknown:
        raise Rejected("unexpected_item", "a search event names no item")
    if unknown:
        raise Rejected("unknown_field", f"unknown field(s): {', '.join(sorted(unknown))}")
    event_id = raw.get("event_id")
    if not isinstance(event_id, str) or not EVENT_ID_RE.match(event_id):
        raise Rejected("invalid_event_id", "event_id must be 8-64 characters of letters, digits and _.:-")
    query = raw.get("query")
    if not isinstance(query, str):
        raise Rejected("invalid_query", "query must be a string")
    try:
        query = clean_query(query)
    except ApplicationError as error:
        raise Rejected("invalid_query", error.message) from error
    if "ts" not in raw:
        raise Rejected("missing_ts", "ts is required")
    ts = _timestamp(raw["ts"], now)
    session = raw.get("session_id") or ""
    if session and (not isinstance(session, str) or not TOKEN_RE.match(session)):
        raise Rejected("invalid_session_id", "session_id must be a token of up to 64 characters")
    return SearchEvent(event_id, shopper_id, query, ts, session)


def intent_weights(query: str) -> dict[str, float]:
    """The intent a search for ``query`` adds: each label of its ``INTENT_FROM_HITS`` best matches,
    weighted by their score relative to the best, summed, capped at ``INTENT_PER_SEARCH``."""
    hits = search_hits(query)[:INTENT_FROM_HITS]
    if not hits:
        return {}
    best = hits[0].score or 1.0
    weights: dict[str, float] = defaultdict(float)
    for hit in hits:
        for dim in hit.dims:
            weights[dim] += hit.score / best
    top = max(weights.values(), default=0.0) or 1.0
    return {dim: round(INTENT_PER_SEARCH * value / top, 6) for dim, value in weights.items()}


def search_events_record(events: list[SearchEvent]) -> tuple[int, int]:
    """Turn new search events into intent; returns (accepted, duplicates). Idempotent per event id."""
    accepted = duplicates = 0
    client = realtime.client()
    for event in events:
        marker = f"{shopper_key(event.shopper_id, 'searched')}:{event.event_id}"
        if not client.set(marker, 1, nx=True, ex=_MARKER_TTL_SECONDS):
            duplicates += 1
            continue
        shopper_intent_add(
            event.shopper_id, intent_weights(event.query), now=min(event.occurred_at.timestamp(), time.time())
        )
        accepted += 1
    return accepted, duplicates
