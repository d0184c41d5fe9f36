"""A real redis-server, keeping nothing on disk, restarted twice in the middle of traffic through the
events API while the consumer worker runs: accepted = stored, each exactly once, counters not inflated."""

import threading
import time
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from profiles.events import state
from profiles.events.consumer import EventConsumer
from profiles.events.models import EventBacklog, Interaction
from profiles.events.rebuild import realtime_rebuild
from tests.factories import ContentItemFactory
from tests.profiles.events.conftest import BROWSER_UA, make_event, post_events

BATCHES, EVENTS_PER_BATCH = 30, 20
RESTART_AFTER = (10, 20)  # batches sent
PAUSE_SECONDS = 0.05


def _stored_counts() -> Counter[tuple[int, str]]:
    return Counter(Interaction.objects.values_list("content_id", "type"))


def _counters(items: list[int]) -> Counter[tuple[int, str]]:
    counts: Counter[tuple[int, str]] = Counter()
    for item, fields in state.item_counters(items).items():
        for kind in ("like", "view"):
            counts[(item, kind)] = int(fields.get(f"n:{kind}", 0))
    return counts


def _wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_redis_restart_in_the_middle_of_traffic_loses_nothing_and_counts_nothing_twice(redis_server):
    # One shopper sends it all: BATCHES × EVENTS_PER_BATCH stays under the "events" rate limit.
    items = [ContentItemFactory().pk for _ in (*RESTART_AFTER, None)]  # one per phase between restarts
    browser = Client(HTTP_USER_AGENT=BROWSER_UA)
    browser.get("/api/v1/feed")
    restarts = 0
    sent: list[list[dict]] = []
    accepted: list[list[dict]] = []
    refused: list[int] = []

    def traffic() -> None:
        try:
            for _ in range(BATCHES):
                batch = [make_event(items[restarts], "like" if i % 3 == 0 else "view") for i in range(EVENTS_PER_BATCH)]
                response = post_events(browser, batch)
                sent.append(batch)
                body = response.json() if response.status_code == 200 else {}
                if body.get("accepted") == len(batch):
                    accepted.append(batch)
                else:
                    refused.append(response.status_code)
                time.sleep(PAUSE_SECONDS)
        finally:
            connection.close()

    consumer = EventConsumer(
        name="restart-test",
        block_ms=100,
        claim_idle_ms=1000,
        reconcile_grace_seconds=0.5,
        reconcile_interval_seconds=0.2,
    )
    stop = threading.Event()
    worker = threading.Thread(target=consumer.run, kwargs={"stop": stop})
    sender = threading.Thread(target=traffic)
    worker.start()
    sender.start()
    try:
        for after in RESTART_AFTER:
            assert _wait_until(lambda after=after: len(sent) >= after, 60)
            redis_server.restart()
            restarts += 1
        sender.join(120)
        expected = sorted(event["event_id"] for batch in accepted for event in batch)
        assert _wait_until(
            lambda: Interaction.objects.count() >= len(expected) and not EventBacklog.objects.exists(), 60
        )
        assert worker.is_alive()
    finally:
        stop.set()
        worker.join(30)
        sender.join(30)

    assert (len(sent), refused) == (BATCHES, [])
    assert sorted(Interaction.objects.values_list("event_id", flat=True)) == expected
    stored = _stored_counts()
    live = _counters(items)
    # The last phase's item was only used after the last restart: its counters are exact. The
    # others lost what was counted before a restart, and count nothing twice.
    assert {key: live[key] for key in live if key[0] == items[-1]} == {
        key: stored[key] for key in stored if key[0] == items[-1]
    }
    assert all(live[key] <= stored[key] for key in stored)

    realtime_rebuild()  # the operator restores the real-time state from PostgreSQL
    retries = [post_events(browser, batch).json() for batch in accepted]  # clients retry after the outage
    EventConsumer(name="after", block_ms=0).drain()

    assert {(r["accepted"], r["duplicates"]) for r in retries} == {(0, EVENTS_PER_BATCH)}
    assert Interaction.objects.count() == len(expected)
    assert _counters(items) == _stored_counts()
