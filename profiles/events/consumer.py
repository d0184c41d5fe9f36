"""The event consumer: stream → interactions in the database + real-time state, then acknowledge.

Run as a long-lived worker (``manage.py consume_events``), as many as needed in one consumer group.
Each batch is written to the database (idempotent on event id) and the rows it newly stored are
folded into the real-time state before that transaction commits (a fold retried after a failed
commit is a no-op, through per-event markers); only then is it acknowledged. A consumer that dies
leaves its entries pending; another (or itself, restarted) claims them after ``claim_idle_ms`` and
processes them again, which changes nothing that was already done.

The worker never exits on an error: with the store down it waits and retries; when the store comes
back empty (restarted without persistence) it recreates its group, and ``backlog_reconcile``
appends again the accepted events that the stream lost.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import redis
from django.db import close_old_connections, connection, transaction

from feedsite import realtime
from profiles.events import signals, state, stream, writer
from profiles.events.backlog import RECONCILE_BATCH, RECONCILE_GRACE_SECONDS, backlog_reconcile
from profiles.events.event import Event
from profiles.events.meta import item_meta
from profiles.events.models import EventBacklog

logger = logging.getLogger(__name__)

# At most this many entries per batch (≈ 600 KB read, one COPY and one Lua call). Under light load
# a batch is whatever arrived, so small; under heavy load large batches amortise the per-batch
# costs (commit, script call). A shopper's
# own next feed never waits for this: it reads their recent events from the stream's side list.
BATCH_SIZE = 2000
# With background hooks, at most this many processed batches wait for their callbacks before the
# consumer waits too (backpressure, and a bound on memory).
HOOK_BACKLOG = 4
# How often the worker looks for accepted events that the stream does not hold (``backlog_reconcile``).
RECONCILE_INTERVAL_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 10.0


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
        reconcile_grace_seconds: float = RECONCILE_GRACE_SECONDS,
        reconcile_interval_seconds: float = RECONCILE_INTERVAL_SECONDS,
    ) -> None:
        """``background_hooks``: run the ``signals.batch_processed`` receivers (live counters pushed to websockets,
        mostly waiting on the network) on a thread of their own, so the next batch does not wait
        for them; the long-lived worker does, tests and one-off drains keep them inline."""
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.batch_size = batch_size
        self.block_ms = block_ms
        self.claim_idle_ms = claim_idle_ms
        self.reconcile_grace_seconds = reconcile_grace_seconds
        self.reconcile_interval_seconds = reconcile_interval_seconds
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
        with transaction.atomic():
            # Only what this transaction stores is counted: an event delivered again (claimed after
            # a crash, appended twice) stores nothing, so it counts nothing.
            new = writer.interactions_write(events)
            if new:
                metas = item_meta({e.item_id for e in new})
                state.apply_events(new, metas, client=realtime.worker_client())
        realtime.worker_client().xack(stream.STREAM, stream.GROUP, *[entry_id for entry_id, _ in entries])
        self._after_batch(new)  # after the ack: a failing callback never makes the batch replay
        return len(new)

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

    def _read(self, block_ms: int | None) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """Claim stale entries, else read new ones (at most a batch)."""
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
        return [(entry_id, fields) for entry_id, fields in entries if fields]

    def poll_once(self, *, block_ms: int | None = None) -> int:
        """Claim stale entries, else read new ones, and process one batch; returns entries handled.

        A stream or group that is gone (the store restarted without its data) is created again.
        """
        try:
            entries = self._read(block_ms)
        except redis.exceptions.ResponseError as exc:
            if not stream.is_group_missing(exc):
                raise
            logger.warning("the event stream's consumer group is gone (the store lost its data?): creating it again")
            self._group_ready = False
            entries = self._read(block_ms)
        self.process(entries)
        return len(entries)

    def run(self, *, stop: threading.Event | None = None) -> None:
        """Consume until ``stop`` is set. Never gives up: after any error it waits (longer each
        time, up to ``MAX_BACKOFF_SECONDS``) and carries on, the failed batch pending until claimed."""
        stop = stop or threading.Event()
        backoff = 0.5
        reconcile_at = 0.0
        while not stop.is_set():
            try:
                close_old_connections()
                # A full batch appended again: more may wait, so look again at once.
                due = time.monotonic() >= reconcile_at
                if due and backlog_reconcile(grace_seconds=self.reconcile_grace_seconds) < RECONCILE_BATCH:
                    reconcile_at = time.monotonic() + self.reconcile_interval_seconds
                self.poll_once()
                backoff = 0.5
            except realtime.RealtimeUnavailable:
                logger.warning("real-time store unavailable; retrying in %.1fs", backoff)
            except Exception:
                logger.exception("event consumption failed; retrying in %.1fs", backoff)
                self._group_ready = False
            else:
                continue
            stop.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
        self.wait_for_hooks()

    def _drain_stream(self) -> int:
        total = 0
        while handled := self.poll_once(block_ms=0):
            total += handled
        return total

    def drain(self) -> int:
        """Process every accepted event now, without waiting (tests, one-off runs): the stream, then
        whatever the write-ahead still holds (parked, or lost by the store); returns entries handled."""
        total = self._drain_stream()
        while backlog_reconcile(grace_seconds=0):
            total += self._drain_stream()
        self.wait_for_hooks()
        return total

    def has_work(self) -> bool:
        """Accepted events not yet stored: in the write-ahead, or entries not yet acknowledged."""
        if EventBacklog.objects.exists():
            return True
        self._ensure_group()
        try:
            return stream.oldest_unacknowledged() is not None
        except redis.exceptions.ResponseError as exc:
            if not stream.is_group_missing(exc):
                raise
            self._group_ready = False
            return False


_inline_lock = threading.Lock()


def consume_inline() -> None:
    """The embedded default's consumer. Its store lives inside the web process, where no
    ``consume_events`` process can reach it, so the web process drains the stream after each
    accepted batch, as Celery tasks run inline there. A batch that fails stays pending in the
    group and is claimed again by a later drain."""
    with _inline_lock:  # one drain at a time: the group's "inline" consumer is this process
        # Nobody else reads this store, so what is pending is a failed drain's: claim it at once.
        EventConsumer(name="inline", block_ms=0, claim_idle_ms=0).drain()
