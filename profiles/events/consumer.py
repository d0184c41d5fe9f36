"""The event consumer: stream → interactions in the database + real-time state, then acknowledge.

Run as a long-lived worker (``manage.py consume_events``), as many as needed in one consumer group.
Each batch is written to the database (idempotent on event id), folded into the real-time state
(idempotent through per-event markers) and only then acknowledged. A consumer that dies leaves its
entries pending; another (or itself, restarted) claims them after ``claim_idle_ms`` and processes
them again, which changes nothing that was already done.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import close_old_connections, connection

from feedsite import realtime
from profiles.events import signals, state, stream, writer
from profiles.events.backlog import backlog_replay
from profiles.events.event import Event
from profiles.events.meta import item_meta

logger = logging.getLogger(__name__)

# At most this many entries per batch (≈ 600 KB read, one COPY and one Lua call). Under light load
# a batch is whatever arrived, so small; under heavy load large batches amortise the per-batch
# costs (commit, script call). A shopper's
# own next feed never waits for this: it reads their recent events from the stream's side list.
BATCH_SIZE = 2000
# With background hooks, at most this many processed batches wait for their callbacks before the
# consumer waits too (backpressure, and a bound on memory).
HOOK_BACKLOG = 4


def batch_processed_send(events: Iterable[Event]) -> None:
    """Tell the receivers of ``signals.batch_processed`` which items a processed batch touched, and how."""
    if not signals.batch_processed.has_listeners(EventConsumer):
        return
    touched: dict[int, set[str]] = {}
    for event in events:
        touched.setdefault(event.item_id, set()).add(event.type)
    if touched:
        items = {item: frozenset(types) for item, types in touched.items()}
        signals.batch_processed.send_robust(EventConsumer, items=items)


def _run_hooks(events: list[Event]) -> None:
    try:
        batch_processed_send(events)
    finally:
        connection.close()  # this thread's connection goes back to the pool between batches


class EventConsumer:
    def __init__(
        self,
        *,
        name: str | None = None,
        batch_size: int = BATCH_SIZE,
        block_ms: int = 1000,
        claim_idle_ms: int = 30_000,
        background_hooks: bool = False,
    ) -> None:
        """``background_hooks``: run the ``signals.batch_processed`` receivers (live counters pushed to websockets,
        mostly waiting on the network) on a thread of their own, so the next batch does not wait
        for them; the long-lived worker does, tests and one-off drains keep them inline."""
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.batch_size = batch_size
        self.block_ms = block_ms
        self.claim_idle_ms = claim_idle_ms
        self._group_ready = False
        self._hook_thread = ThreadPoolExecutor(1, thread_name_prefix="event-hooks") if background_hooks else None
        self._hook_futures: deque[Future[None]] = deque()

    def _ensure_group(self) -> None:
        if not self._group_ready:
            stream.ensure_group()
            self._group_ready = True

    def process(self, entries: Sequence[tuple[bytes, dict[bytes, bytes]]]) -> int:
        """Handle one batch of stream entries; returns how many new interactions were stored."""
        if not entries:
            return 0
        events: list[Event] = []
        for _, fields in entries:
            try:
                events.append(Event.from_wire(json.loads(fields[b"d"])))
            except (KeyError, ValueError, TypeError):
                logger.error("dropping malformed stream entry %r", fields)
        stored = writer.interactions_write(events)
        state.apply_events(events, item_meta({e.item_id for e in events}), client=realtime.worker_client())
        realtime.worker_client().xack(stream.STREAM, stream.GROUP, *[entry_id for entry_id, _ in entries])
        self._after_batch(events)  # after the ack: a failing callback never makes the batch replay
        return stored

    def _after_batch(self, events: list[Event]) -> None:
        if self._hook_thread is None:
            batch_processed_send(events)
            return
        while len(self._hook_futures) >= HOOK_BACKLOG:
            self._hook_futures.popleft().result()
        self._hook_futures.append(self._hook_thread.submit(_run_hooks, events))

    def wait_for_hooks(self) -> None:
        """Until every processed batch's callbacks have run (background hooks only)."""
        while self._hook_futures:
            self._hook_futures.popleft().result()

    def poll_once(self, *, block_ms: int | None = None) -> int:
        """Claim stale entries, else read new ones, and process one batch; returns entries handled."""
        self._ensure_group()
        client = realtime.worker_client()
        claimed = client.xautoclaim(
            stream.STREAM, stream.GROUP, self.name, min_idle_time=self.claim_idle_ms, count=self.batch_size
        )
        entries = claimed[1] if claimed else []
        if not entries:
            block = self.block_ms if block_ms is None else block_ms
            response = client.xreadgroup(
                stream.GROUP,
                self.name,
                {stream.STREAM: ">"},
                count=self.batch_size,
                block=block or None,  # Redis reads BLOCK 0 as "forever"
            )
            entries = response[0][1] if response else []
        entries = [(entry_id, fields) for entry_id, fields in entries if fields]
        self.process(entries)
        return len(entries)

    def run(self, *, stop: threading.Event | None = None) -> None:
        """Consume until ``stop`` is set; survives store outages by waiting and retrying."""
        stop = stop or threading.Event()
        backoff = 0.5
        while not stop.is_set():
            try:
                close_old_connections()
                backlog_replay()
                self.poll_once()
                backoff = 0.5
            except realtime.RealtimeUnavailable:
                logger.warning("real-time store unavailable; retrying in %.1fs", backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        self.wait_for_hooks()

    def drain(self) -> int:
        """Process everything in the backlog and the stream now, without waiting (tests, one-off runs)."""
        backlog_replay(limit=100_000)
        total = 0
        while handled := self.poll_once(block_ms=0):
            total += handled
        self.wait_for_hooks()
        return total

    def has_work(self) -> bool:
        """Entries not yet delivered or not yet acknowledged (counted, not taken from the group's lag)."""
        self._ensure_group()
        client = realtime.client()
        pending = client.xpending(stream.STREAM, stream.GROUP)["pending"]
        last = next(
            g["last-delivered-id"] for g in client.xinfo_groups(stream.STREAM) if g["name"] == stream.GROUP.encode()
        )
        undelivered = client.xrange(stream.STREAM, min=f"({last.decode()}", count=1)
        return bool(pending or undelivered)


_inline_lock = threading.Lock()


def consume_inline() -> None:
    """The embedded default's consumer. Its store lives inside the web process, where no
    ``consume_events`` process can reach it, so the web process drains the stream after each
    accepted batch, as Celery tasks run inline there. A batch that fails stays pending in the
    group and is claimed again by a later drain."""
    with _inline_lock:  # one drain at a time: the group's "inline" consumer is this process
        # Nobody else reads this store, so what is pending is a failed drain's: claim it at once.
        EventConsumer(name="inline", block_ms=0, claim_idle_ms=0).drain()
