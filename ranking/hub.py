"""The feed sockets' one subscription per process: channel-layer groups joined once, fanned out locally.

A Channels consumer normally has its own channel and joins its groups itself. For the feed socket
that costs, per socket, a receive loop on the channel layer and a Redis write for each group it
joins or leaves (a watch on every scroll stop), and per push, a wake-up of every socket's receive
loop. ``bench/websockets.py`` measured it: a fresh item to 3,000 sockets took 0.7 s of server CPU.

Instead, each event loop (each ASGI process) has one ``Hub`` with one channel. Sockets attach to
it; it joins a group when its first local socket needs it and leaves when its last one is gone, so
a group's members are processes, not sockets, and Redis sees a write only on those transitions.
Messages (from ``ranking.push``) arrive once per process and are written to the local sockets:

    {"type": "push.text", "group": "shopper.12" | "item.34", "text": json}
    {"type": "push.fanout", "texts": [json, …], "to": {"<shopper id>": index}}     (group feed.all)
    {"type": "push.all", "texts": [json, …], "withdrawn": [item ids]}              (group feed.all)

``push.all`` goes to every local socket; its ``withdrawn`` items also leave this process's catalog
snapshot (``ranking.catalog.withdraw``), since the process serving these sockets serves pages too.

Each write is its own task, so a slow client never holds up the others, and in order per socket.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Iterable
from typing import Any, Protocol

from channels.layers import get_channel_layer

from ranking import catalog

logger = logging.getLogger(__name__)

BROADCAST_GROUP = "feed.all"
# channels_redis forgets group members after a day (group_expiry); a process outlives that.
REFRESH_SECONDS = 3600.0


class Socket(Protocol):
    async def push(self, text: str) -> None: ...


class Hub:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        assert self.layer is not None, "CHANNEL_LAYERS is configured in feedsite.settings.services"
        self.channel: str | None = None
        self.members: dict[str, set[Socket]] = {}
        self.groups_of: dict[Socket, set[str]] = {}
        self.by_shopper: dict[str, set[Socket]] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.sending: set[asyncio.Task[None]] = set()
        # Joins and leaves of one group must reach Redis in the order they happen here.
        self.lock = asyncio.Lock()

    async def attach(self, socket: Socket, *, shopper_id: int) -> None:
        """Route ``shopper.<id>`` and fan-outs naming the shopper to ``socket``."""
        self.by_shopper.setdefault(str(shopper_id), set()).add(socket)
        await self.join(socket, [BROADCAST_GROUP, f"shopper.{shopper_id}"])

    async def detach(self, socket: Socket, *, shopper_id: int) -> None:
        """Stop routing anything to ``socket``; the last socket out stops the listener."""
        sockets = self.by_shopper.get(str(shopper_id), set())
        sockets.discard(socket)
        if not sockets:
            self.by_shopper.pop(str(shopper_id), None)
        await self.leave(socket, list(self.groups_of.get(socket, ())))
        self.groups_of.pop(socket, None)
        if not self.members and self.tasks:
            for task in self.tasks:
                task.cancel()
            self.tasks = []
            self.channel = None

    async def join(self, socket: Socket, groups: Iterable[str]) -> None:
        async with self.lock:
            if not self.tasks:
                self.channel = channel = await self.layer.new_channel()
                loop = asyncio.get_running_loop()
                self.tasks = [loop.create_task(self._listen(channel)), loop.create_task(self._refresh(channel))]
            for group in groups:
                members = self.members.get(group)
                if members is None:
                    await self.layer.group_add(group, self.channel)
                    members = self.members[group] = set()
                members.add(socket)
                self.groups_of.setdefault(socket, set()).add(group)

    async def leave(self, socket: Socket, groups: Iterable[str]) -> None:
        """Stop routing ``groups`` to ``socket``. Local routing changes even if Redis is down: a
        stale membership only brings the process messages nobody here wants, until it lapses."""
        async with self.lock:
            emptied = []
            for group in groups:
                self.groups_of.get(socket, set()).discard(group)
                members = self.members.get(group)
                if members is None:
                    continue
                members.discard(socket)
                if not members:
                    del self.members[group]
                    emptied.append(group)
            for group in emptied:
                await self.layer.group_discard(group, self.channel)

    async def _listen(self, channel: str) -> None:
        while True:
            message = await self.layer.receive(channel)
            try:
                self.deliver(message)
            except Exception:  # one bad message must not stop every push to this process
                logger.exception("feed hub: cannot deliver %r", message.get("type"))

    async def _refresh(self, channel: str) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            async with self.lock:
                for group in list(self.members):
                    await self.layer.group_add(group, channel)

    def deliver(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "push.text":
            for socket in self.members.get(message["group"], ()):
                self._send(socket, message["text"])
        elif kind == "push.fanout":
            texts, to = message["texts"], message["to"]
            # Walk the smaller side: the audience, or the shoppers connected here.
            if len(to) <= len(self.by_shopper):
                pairs = ((self.by_shopper.get(key, ()), index) for key, index in to.items())
            else:
                pairs = ((sockets, to.get(key)) for key, sockets in self.by_shopper.items())
            for sockets, index in pairs:
                if index is not None:
                    for socket in sockets:
                        self._send(socket, texts[index])
        elif kind == "push.all":
            if message.get("withdrawn"):
                catalog.withdraw(message["withdrawn"])
            for socket in self.members.get(BROADCAST_GROUP, ()):
                for text in message["texts"]:
                    self._send(socket, text)
        else:
            logger.warning("feed hub: unknown message type %r", kind)

    def _send(self, socket: Socket, text: str) -> None:
        task = asyncio.get_running_loop().create_task(socket.push(text))
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The hub of the running event loop (one per ASGI process; tests run one loop per scenario)."""
    loop = asyncio.get_running_loop()
    current = _hubs.get(loop)
    if current is None:
        current = _hubs[loop] = Hub()
    return current
