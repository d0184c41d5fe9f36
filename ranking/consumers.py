"""The live feed socket, ``/ws/feed/``: authenticate, join groups, forward pushes. Nothing else.

Who may connect: a signed-in user, or a visitor with a valid signed visitor id (``fs_vid`` cookie,
or ``X-Visitor-Id`` for API clients), whose shopper exists (the visitor's first write creates it,
an event or a like, say; the socket never writes). A visitor id merged into an account at sign-in
names nobody: it never opens the account's socket. Anyone else is accepted and closed at once with
a code the client can act on, since a refused handshake reaches a browser only as a bare 1006:

    4401  not signed in and no valid visitor id: do not reconnect
    4404  no shopper yet for this identity (or a retired visitor id): reconnect later
    4400  a message the protocol does not allow: do not reconnect (a client bug)

Groups: ``shopper.<id>`` (personal pushes), ``feed.all`` (fan-outs: each message names the
shoppers it is for), ``item.<id>`` for the cards on screen (counters). A socket has no channel of
its own: it joins them through its process's ``ranking.hub``, which holds one subscription per
group per process and writes what arrives to the local sockets.

    client → server   {"type": "watch", "items": [ids]}   the cards on screen (replaces the last set)
                      {"type": "ping"}                    every 25 s: keeps the shopper online
    server → client   feed.fresh, counts, notice,         payloads of ``ranking.push``, as sent there
                      feed.removed
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from typing import Any

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import HttpRequest

from feedsite import realtime
from profiles.middleware import visitor_id_read
from profiles.models import Shopper
from ranking import presence
from ranking.hub import hub

logger = logging.getLogger(__name__)

CLOSE_BAD_MESSAGE = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_NO_SHOPPER = 4404
# A phone shows 1–2 cards, a wide desktop grid about 8; 12 leaves room for the ones half in view.
MAX_WATCHED = 12
# A watch of 12 ids is ~150 characters: anything much longer is not a message of this protocol.
MAX_MESSAGE_CHARS = 1024
# Pings refresh presence at most this often, whatever the client sends.
TOUCH_EVERY_SECONDS = 10.0
MAX_ID = 2**63 - 1

# Redis round trips off the event loop; not thread-sensitive: they touch no database connection.
_touch = sync_to_async(presence.presence_touch, thread_sensitive=False)
_leave = sync_to_async(presence.presence_leave, thread_sensitive=False)


def _identity(scope: dict[str, Any]) -> tuple[int | None, uuid.UUID | None] | None:
    """(user id, None) for a signed-in user, (None, visitor id) for a valid visitor id, else None."""
    user = scope.get("user")
    if user is not None and user.is_authenticated:
        return user.pk, None
    request = HttpRequest()
    request.COOKIES = scope.get("cookies") or {}
    for name, value in scope.get("headers", []):
        if name == b"x-visitor-id":
            request.META["HTTP_X_VISITOR_ID"] = value.decode("latin1")
    visitor_id = visitor_id_read(request)
    return None if visitor_id is None else (None, visitor_id)


@database_sync_to_async
def _shopper_id(user_id: int | None, visitor_id: uuid.UUID | None) -> int | None:
    """The shopper behind the identity, read only; None for a visitor id that names no anonymous
    shopper (none yet, or merged into an account: ``profiles.selectors.visitor_shopper``)."""
    if user_id is not None:
        return Shopper.objects.filter(user_id=user_id).values_list("pk", flat=True).first()
    assert visitor_id is not None
    visitor = Shopper.objects.filter(visitor_id=visitor_id, **Shopper.VISITOR_IDENTITY)
    return visitor.values_list("pk", flat=True).first()


def _watch_ids(value: object) -> list[int] | None:
    """The ids of a watch message, deduplicated, at most ``MAX_WATCHED``; None if not a list of ids."""
    if not isinstance(value, list):
        return None
    ids: dict[int, None] = {}
    for raw in value:
        if type(raw) is not int or not 0 < raw <= MAX_ID:
            return None
        ids[raw] = None
    return list(ids)[:MAX_WATCHED]


class FeedConsumer(AsyncWebsocketConsumer):
    # No channel per socket (an alias that is not configured): ranking.hub subscribes for it.
    channel_layer_alias = None
    shopper_id: int | None = None
    watched: frozenset[int] = frozenset()
    _touched_at = 0.0

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Call the handler without channels' ``close_old_connections`` hop before each frame.

        That hop runs on the one thread-sensitive thread, for every ping of every socket. Nothing
        here touches the database except ``_shopper_id``, which ``database_sync_to_async`` already
        wraps in the same clean-up.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        identity = _identity(self.scope)
        shopper_id = None if identity is None else await _shopper_id(*identity)
        if shopper_id is None:
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED if identity is None else CLOSE_NO_SHOPPER)
            return
        self.shopper_id = shopper_id
        self.connection = uuid.uuid4().hex
        try:
            await hub().attach(self, shopper_id=shopper_id)
        except Exception:
            # The channel layer is down: the handshake fails, and the hub must not keep this socket.
            await hub().detach(self, shopper_id=shopper_id)
            raise
        await self._touch()
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.shopper_id is None:
            return
        await hub().detach(self, shopper_id=self.shopper_id)
        # With the store down, the presence entry lapses by itself (presence.PRESENCE_TTL_SECONDS).
        with contextlib.suppress(*realtime.RealtimeUnavailable):
            await _leave(shopper_id=self.shopper_id, connection=self.connection)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.shopper_id is None:
            return
        message = _decode(text_data)
        kind = message.get("type") if message is not None else None
        if kind == "ping":
            if time.monotonic() - self._touched_at >= TOUCH_EVERY_SECONDS:
                await self._touch()
            return
        items = _watch_ids(message.get("items")) if message is not None and kind == "watch" else None
        if items is None:
            await self.close(code=CLOSE_BAD_MESSAGE)
            return
        await self._watch(frozenset(items))

    async def push(self, text: str) -> None:
        """Write a payload ``ranking.push`` encoded; called by the hub. A socket closing meanwhile drops it."""
        try:
            await self.send(text_data=text)
        except Exception:  # the client went away between routing and writing
            logger.debug("feed socket of shopper %s closed before a push", self.shopper_id)

    async def _touch(self) -> None:
        assert self.shopper_id is not None
        self._touched_at = time.monotonic()
        try:
            await _touch(shopper_id=self.shopper_id, connection=self.connection)
        except realtime.RealtimeUnavailable:
            # Presence only picks audiences: the socket still works, and the next ping retries.
            logger.warning("real-time store unavailable: presence of shopper %s not refreshed", self.shopper_id)

    async def _watch(self, items: frozenset[int]) -> None:
        await hub().leave(self, [f"item.{i}" for i in self.watched - items])
        await hub().join(self, [f"item.{i}" for i in items - self.watched])
        self.watched = items


def _decode(text_data: str | None) -> dict[str, Any] | None:
    if text_data is None or len(text_data) > MAX_MESSAGE_CHARS:
        return None
    try:
        message = json.loads(text_data)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None
