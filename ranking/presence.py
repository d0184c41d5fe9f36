"""Which shoppers have the live feed open: one sorted set in the real-time store, kept by the websocket.

    ws:online   zset  "<shopper>:<connection>" → expiry time (unix seconds)

One member per open socket (a shopper with two tabs has two), scored with the time it lapses
unless refreshed: the consumer writes it on connect and on every client ping, removes it on
disconnect. A process that dies leaves its members to lapse within ``PRESENCE_TTL_SECONDS``.
Pushes (``ranking.push``) read it to pick their audience among shoppers who can hear them.
"""

from __future__ import annotations

import time

from feedsite import realtime

KEY = "ws:online"
# live.js pings every 25 s: a socket is "online" through two missed pings plus slack for a slow ping.
PRESENCE_TTL_SECONDS = 60


def _member(shopper_id: int, connection: str) -> str:
    return f"{shopper_id}:{connection}"


def presence_touch(*, shopper_id: int, connection: str, now: float | None = None) -> None:
    """Mark the socket ``connection`` of ``shopper_id`` online for another ``PRESENCE_TTL_SECONDS``.

    Also drops members that lapsed (sockets of dead processes), so the set stays the size of
    what is really open. Raises ``RealtimeUnavailable`` when the store is down.
    """
    now = time.time() if now is None else now
    pipe = realtime.client().pipeline(transaction=False)
    pipe.zadd(KEY, {_member(shopper_id, connection): now + PRESENCE_TTL_SECONDS})
    pipe.zremrangebyscore(KEY, "-inf", now)
    pipe.expire(KEY, PRESENCE_TTL_SECONDS)
    pipe.execute()


def presence_leave(*, shopper_id: int, connection: str) -> None:
    realtime.client().zrem(KEY, _member(shopper_id, connection))


def connected_shoppers(*, now: float | None = None) -> set[int]:
    """Shoppers with at least one socket online now."""
    now = time.time() if now is None else now
    members: list[bytes] = realtime.client().zrangebyscore(KEY, now, "+inf")
    return {int(member.split(b":", 1)[0]) for member in members}
