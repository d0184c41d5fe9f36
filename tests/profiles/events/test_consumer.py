import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from feedsite import realtime
from profiles.events import signals, state, stream
from profiles.events.consumer import EventConsumer
from profiles.events.models import Interaction
from tests.factories import ContentItemFactory, ProductFactory
from tests.profiles.events.conftest import BROWSER_UA, make_event, post_events

pytestmark = pytest.mark.django_db


def test_consumer_stores_interactions_with_all_fields(browser, consumer, shopper_of):
    product = ProductFactory()
    item = ContentItemFactory(products=[product])
    event = make_event(
        item.pk,
        "add_to_cart",
        session_id="sess-1",
        request_id="req-1",
        position=3,
        dwell_ms=1500,
        value=2,
        product=product.pk,
        context={"device": "mobile", "viewport": [390, 844]},
    )
    post_events(browser, [event])

    consumer.drain()

    stored = Interaction.objects.get()
    assert (stored.event_id, stored.shopper, stored.content_id, stored.product_id, stored.type) == (
        event["event_id"],
        shopper_of(browser),
        item.pk,
        product.pk,
        "add_to_cart",
    )
    assert (stored.session_id, stored.request_id, stored.position, stored.dwell_ms, stored.value) == (
        "sess-1",
        "req-1",
        3,
        1500,
        2.0,
    )
    assert stored.context == {"device": "mobile", "viewport": [390, 844]}
    assert abs(stored.occurred_at.timestamp() - event["ts"]) < 0.01


class Crash(Exception):
    pass


def _crash_after(monkeypatch, target, name: str) -> None:
    real = getattr(target, name)

    def then_crash(*args, **kwargs):
        real(*args, **kwargs)
        raise Crash(name)

    monkeypatch.setattr(target, name, then_crash)


@pytest.mark.parametrize("crash", ["before_writing", "after_folding_before_commit", "after_commit_before_ack"])
def test_a_consumer_killed_mid_batch_loses_nothing_and_doubles_nothing(browser, monkeypatch, crash):
    item = ContentItemFactory()
    post_events(browser, [make_event(item.pk, "like") for _ in range(5)])
    doomed = EventConsumer(name="doomed", batch_size=3, block_ms=0)
    with monkeypatch.context() as patch:
        if crash == "before_writing":
            patch.setattr(doomed, "process", lambda entries: (_ for _ in ()).throw(Crash("read")))
        elif crash == "after_folding_before_commit":
            _crash_after(patch, state, "apply_events")
        else:
            _crash_after(patch, realtime.worker_client(), "xack")
        with pytest.raises(Crash):
            doomed.poll_once()  # took 3 entries, and died holding them

    survivor = EventConsumer(name="survivor", claim_idle_ms=0, block_ms=0)
    survivor.drain()
    survivor.drain()  # and a second pass finds nothing left to do

    assert Interaction.objects.count() == 5
    assert state.item_counters([item.pk])[item.pk]["n:like"] == 5
    assert not survivor.has_work()


def test_processing_the_same_entries_twice_changes_nothing(browser, consumer):
    item = ContentItemFactory()
    post_events(browser, [make_event(item.pk, "share") for _ in range(3)])
    stream.ensure_group()
    entries = realtime.client().xrange(stream.STREAM)

    consumer.process(entries)
    consumer.process(entries)

    assert Interaction.objects.count() == 3
    assert state.item_counters([item.pk])[item.pk]["n:share"] == 3


@pytest.mark.postgresql_only  # SQLite serialises writers; the race needs a real server
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_the_same_batch_store_it_once():
    item = ContentItemFactory()
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.get("/api/v1/feed")
    cookie = client.cookies
    batch = [make_event(item.pk) for _ in range(20)]

    def send(_: int) -> dict:
        c = Client(HTTP_USER_AGENT=BROWSER_UA)
        c.cookies = cookie
        try:
            return post_events(c, batch).json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(send, range(4)))
    EventConsumer(name="c", block_ms=0).drain()

    assert sum(a["accepted"] for a in answers) == 20
    assert sum(a["duplicates"] for a in answers) == 60
    assert Interaction.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_background_hooks_run_after_the_batch_and_the_worker_can_wait_for_them(browser):
    item = ContentItemFactory()
    post_events(browser, [make_event(item.pk, "like"), make_event(item.pk, "view")])
    seen: list[tuple] = []

    def hook(sender, items, **kwargs):
        seen.append((items, threading.current_thread().name))

    consumer = EventConsumer(name="bg", block_ms=0, background_hooks=True)
    signals.batch_processed.connect(hook)
    try:
        consumer.poll_once(block_ms=0)
        consumer.wait_for_hooks()
    finally:
        signals.batch_processed.disconnect(hook)

    ((items, thread),) = seen
    assert items == {item.pk: frozenset({"like", "view"})}
    assert thread.startswith("event-hooks")
    assert Interaction.objects.count() == 2


def test_the_consumer_creates_its_group_again_when_the_store_lost_it(browser, consumer):
    item = ContentItemFactory()
    post_events(browser, [make_event(item.pk, "like")])
    consumer.drain()
    realtime.client().flushdb()  # the store restarted empty: the consumer still thinks its group exists
    post_events(browser, [make_event(item.pk, "like")])  # appending makes the stream, without the group

    handled = consumer.poll_once(block_ms=0)

    assert handled == 1
    assert Interaction.objects.count() == 2


def test_a_batch_delivered_again_after_the_store_lost_its_markers_is_not_counted_again(browser, consumer):
    item = ContentItemFactory()
    post_events(browser, [make_event(item.pk, "share") for _ in range(3)])
    stream.ensure_group()
    entries = realtime.client().xrange(stream.STREAM)
    consumer.process(entries)
    for marker in realtime.client().scan_iter(match="rt:applied:*"):
        realtime.client().delete(marker)

    stored = consumer.process(entries)

    assert stored == 0
    assert state.item_counters([item.pk])[item.pk]["n:share"] == 3


@pytest.mark.django_db(transaction=True)
def test_the_worker_outlives_errors_and_a_lost_group(browser, monkeypatch):
    from profiles.events import writer

    item = ContentItemFactory()
    real_write = writer.interactions_write
    failures = iter([RuntimeError("database went away"), None])

    def flaky(events):
        if (failure := next(failures, None)) is not None:
            raise failure
        return real_write(events)

    monkeypatch.setattr(writer, "interactions_write", flaky)
    consumer = EventConsumer(name="worker", block_ms=50, claim_idle_ms=0, reconcile_interval_seconds=0.1)
    stop = threading.Event()
    worker = threading.Thread(target=consumer.run, kwargs={"stop": stop})
    post_events(browser, [make_event(item.pk, "like")])
    worker.start()
    try:
        assert _wait_until(lambda: Interaction.objects.count() == 1)
        realtime.client().flushdb()
        post_events(browser, [make_event(item.pk, "like")])
        assert _wait_until(lambda: Interaction.objects.count() == 2)
        assert worker.is_alive()
    finally:
        stop.set()
        worker.join(10)
    assert state.item_counters([item.pk])[item.pk]["n:like"] == 1  # the second; the first's went with the flush


def _wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
