"""The event stream in the real-time store: the fast hand-off from the API to the consumer.

Producer and consumer meet only here (``append`` and ``EventConsumer``), so the stream can move to
Kafka behind the same two calls when Redis streams are no longer enough. An entry's one field ``d``
holds ``Event.to_wire()`` as JSON. The stream need not survive the store: every entry is also in
the write-ahead table until it is stored (``backlog``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import redis

from feedsite import realtime
from profiles.events.event import Event
from profiles.events.state import RECENT_MAX, STATE_TTL_SECONDS, recent_encode

STREAM = "rt:events"
GROUP = "ingest"
# ~1M entries ≈ 300 MB of Redis at ~300 bytes an entry; the consumer keeps up far below this.
STREAM_MAXLEN = 1_000_000

# A retried call (redis-py retries a command whose answer timed out) must not append twice.
APPEND_TOKEN_TTL_SECONDS = 60

# ARGV: stream, maxlen, recent_max, state_ttl, token, token_ttl, then per event: shopper_id, payload, recent_entry.
# One script per batch: the entries and the shoppers' own recent lists are appended together, once
# per token. Event ids are not deduplicated here: ``backlog_write`` (PostgreSQL) decides which
# events are new before this runs.
_APPEND = """
local stream, maxlen = ARGV[1], ARGV[2]
local recent_max, state_ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
if not redis.call('SET', 'rt:append:' .. ARGV[5], 1, 'NX', 'EX', tonumber(ARGV[6])) then return 0 end
for i = 7, #ARGV, 3 do
  redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'd', ARGV[i + 1])
  local recent = 'rt:s:' .. ARGV[i] .. ':recent'
  redis.call('LPUSH', recent, ARGV[i + 2])
  redis.call('LTRIM', recent, 0, recent_max - 1)
  redis.call('EXPIRE', recent, state_ttl)
end
return 1
"""


def append(events: Sequence[Event]) -> None:
    """Append events to the stream and to their shoppers' recent lists, once even if the call is retried.

    Raises ``realtime.RealtimeUnavailable`` when the store is down (nothing appended then).
    """
    if not events:
        return
    token = uuid.uuid4().hex
    argv: list[Any] = [STREAM, STREAM_MAXLEN, RECENT_MAX, STATE_TTL_SECONDS, token, APPEND_TOKEN_TTL_SECONDS]
    for event in events:
        wire = event.to_wire()
        recent = recent_encode(event.item_id, event.type, wire["ts"])
        argv += [event.shopper_id, json.dumps(wire, separators=(",", ":")), recent]
    realtime.client().register_script(_APPEND)(args=argv)


def is_group_missing(exc: Exception) -> bool:
    """Whether a stream command failed because the stream or its group is gone (a store restarted empty)."""
    message = str(exc)
    return isinstance(exc, redis.exceptions.ResponseError) and (
        message.startswith("NOGROUP") or "no such key" in message
    )


def ensure_group() -> None:
    """Create the consumer group (and the stream) unless they exist; a new group starts at the first entry."""
    try:
        realtime.worker_client().xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except redis.exceptions.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _entry_seconds(entry_id: bytes | str) -> float:
    """The time in an entry id ("<ms>-<seq>"), in Unix seconds of the store's clock."""
    raw = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return int(raw.split("-", 1)[0]) / 1000


def oldest_unacknowledged() -> float | None:
    """When the oldest entry that the group has not acknowledged was appended (pending in a consumer
    or not yet delivered), in Unix seconds of the store's clock; ``None`` when there is none.

    Raises ``ResponseError`` (``is_group_missing``) when the stream or the group is gone.
    """
    client = realtime.worker_client()
    summary = client.xpending(STREAM, GROUP)
    oldest = [_entry_seconds(summary["min"])] if summary["pending"] else []
    last = next(g["last-delivered-id"] for g in client.xinfo_groups(STREAM) if g["name"] == GROUP.encode())
    last = last.decode() if isinstance(last, bytes) else last
    undelivered = client.xrange(STREAM, min=f"({last}", count=1)
    if undelivered:
        oldest.append(_entry_seconds(undelivered[0][0]))
    return min(oldest, default=None)


def store_time() -> float:
    """Now on the store's clock, in Unix seconds (what entry ids are made of)."""
    seconds, micros = realtime.worker_client().time()
    return int(seconds) + int(micros) / 1_000_000
