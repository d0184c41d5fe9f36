from __future__ import annotations

import contextlib
import itertools
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from django.test import Client

from feedsite import realtime
from profiles.events.consumer import EventConsumer
from profiles.events.event import Event
from profiles.models import Shopper
from tests.profiles.conftest import visitor_of

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"
_ids = itertools.count()


def make_event(item: int, type: str = "view", **extra: Any) -> dict[str, Any]:
    return {"event_id": f"evt-{next(_ids):06d}-{time.time_ns()}", "type": type, "item": item, "ts": time.time()} | extra


def stream_event(
    shopper_id: int, item_id: int, type: str = "like", ts: float | None = None, event_id: str = "", **fields: Any
) -> Event:
    """An accepted event, as ingestion appends it and the consumer reads it (``ts`` in Unix seconds)."""
    return Event(
        event_id=event_id or f"e-{next(_ids):06d}-{time.time_ns()}",
        shopper_id=shopper_id,
        item_id=item_id,
        type=type,
        occurred_at=datetime.fromtimestamp(time.time() if ts is None else ts, tz=UTC),
        **fields,
    )


@pytest.fixture
def browser() -> Client:
    """A browser with a visitor cookie (from a first feed request) and a normal user agent."""
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.get("/api/v1/feed")
    return client


@pytest.fixture
def shopper_of():
    def resolve(client: Client) -> Shopper:
        return visitor_of(client)

    return resolve


def post_events(client: Client, events: list[Any], **headers: Any):
    return client.post("/api/v1/events", {"events": events}, content_type="application/json", **headers)


@pytest.fixture
def consumer() -> EventConsumer:
    return EventConsumer(name="test-consumer", block_ms=0)


class RedisServer:
    """A ``redis-server`` of the test's own on a free loopback port, keeping nothing on disk (the
    worst case: a restart loses everything)."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("needs the redis-server binary")
        self.binary, self.directory = binary, directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        files = ["--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")]
        self.process = subprocess.Popen([self.binary, *options, *files], stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            # Sent raw: redis-py retries the connection error that answers a SHUTDOWN, with backoff.
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1) as raw:
                raw.sendall(b"SHUTDOWN NOSAVE NOW FORCE\r\n")
                raw.recv(64)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def redis_server(settings, tmp_path) -> Iterator[RedisServer]:
    """The real-time store is a ``RedisServer`` of this test's, which the test may restart."""
    server = RedisServer(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    realtime.reset_for_tests()
    try:
        yield server
    finally:
        server.stop()
        realtime.reset_for_tests()
