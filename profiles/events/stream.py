"""The event stream in the real-time store: the durable hand-off from the API to the consumer.

Producer and consumer meet only here (``append`` and ``EventConsumer``), so the stream can move to
Kafka behind the same two calls when Redis streams are no longer enough. An entry's one field ``d``
holds ``Event.to_wire()`` as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from feedsite import realtime
from profiles.events.event import Event
from profiles.events.state import RECENT_MAX, STATE_TTL_SECONDS, recent_encode

STREAM = "rt:events"
GROUP = "ingest"
# ~1M entries ≈ 300 MB of Redis at ~300 bytes an entry; the consumer keeps up far below this.
STREAM_MAXLEN = 1_000_000
DEDUPE_TTL_SECONDS = 7 * 86400

# ARGV: stream, maxlen, dedupe_ttl, recent_max, state_ttl, then per event: event_id, shopper_id, payload, recent_entry.
# Returns the 0-based indexes of duplicates. One script per batch: dedupe, append and the shopper's
# own recent list happen atomically, so a retried or concurrent batch can never append twice.
_APPEND = """
local stream, maxlen, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local recent_max, state_ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
local dups = {}
local index = 0
for i = 6, #ARGV, 4 do
  if redis.call('SET', 'rt:dedupe:' .. ARGV[i], 1, 'NX', 'EX', ttl) then
    redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'd', ARGV[i + 2])
    local recent = 'rt:s:' .. ARGV[i + 1] .. ':recent'
    redis.call('LPUSH', recent, ARGV[i + 3])
    redis.call('LTRIM', recent, 0, recent_max - 1)
    redis.call('EXPIRE', recent, state_ttl)
  else
    table.insert(dups, index)
  end
  index = index + 1
end
return dups
"""


def append(events: Sequence[Event]) -> set[int]:
    """Append events to the stream unless already seen; returns the indexes of the duplicates.

    Raises ``realtime.RealtimeUnavailable`` when the store is down (nothing appended then).
    """
    if not events:
        return set()
    argv: list[Any] = [STREAM, STREAM_MAXLEN, DEDUPE_TTL_SECONDS, RECENT_MAX, STATE_TTL_SECONDS]
    for event in events:
        wire = event.to_wire()
        recent = recent_encode(event.item_id, event.type, wire["ts"])
        argv += [event.event_id, event.shopper_id, json.dumps(wire, separators=(",", ":")), recent]
    script = realtime.client().register_script(_APPEND)
    return {int(i) for i in script(args=argv)}


def ensure_group() -> None:
    try:
        realtime.worker_client().xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except Exception as exc:  # BUSYGROUP: it exists already
        if "BUSYGROUP" not in str(exc):
            raise
