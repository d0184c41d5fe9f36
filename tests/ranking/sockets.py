"""Helpers of the websocket tests: one async scenario per test, sockets through the real ASGI app.

Each test runs one async scenario (``run``) so that the socket, the channel layer and the pushes
share an event loop; sync code inside it (factories, services, the event consumer) goes through
``sync_to_async``, which runs it on the test's thread, in the test's database transaction.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings

from feedsite.asgi import application
from profiles.middleware import visitor_id_sign

ORIGIN = b"http://testserver"
# Every browser names the host it asks, as it does for a page; the origin check compares the two.
HOST = (b"host", b"testserver")
PATH = "/ws/feed/"
T = TypeVar("T")


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    return async_to_sync(scenario)()


def communicator(headers: list[tuple[bytes, bytes]]) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, PATH, headers=headers)


def visitor_headers(shopper, *, origin: bytes | None = ORIGIN) -> list[tuple[bytes, bytes]]:
    """A browser of ``shopper``'s visitor: its signed cookie, and the site's origin unless told otherwise."""
    headers = [HOST, (b"cookie", f"{settings.VISITOR_COOKIE}={visitor_id_sign(shopper.visitor_id)}".encode())]
    return headers + ([(b"origin", origin)] if origin is not None else [])


@contextlib.asynccontextmanager
async def socket(headers: list[tuple[bytes, bytes]]) -> AsyncIterator[WebsocketCommunicator]:
    """An accepted socket (fails the test otherwise), disconnected on the way out."""
    ws = communicator(headers)
    connected, code = await ws.connect(timeout=5)
    assert connected, f"refused with {code}"
    try:
        yield ws
    finally:
        await ws.disconnect()


async def settle(ws: WebsocketCommunicator) -> None:
    """Let the consumer handle what was sent to it (joins take a Redis round trip); it answers nothing."""
    assert await ws.receive_nothing(timeout=0.2)


async def watch(ws: WebsocketCommunicator, *items: int) -> None:
    await ws.send_json_to({"type": "watch", "items": list(items)})
    await settle(ws)


def pushed(group: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(group, channel-layer message) for ``ranking.push.group_send_many``: sockets get ``payload`` as is."""
    return group, {"type": "push.text", "group": group, "text": json.dumps(payload)}
