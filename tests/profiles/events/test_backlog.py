"""The write-ahead: accepted events survive a real-time store that loses its data; PostgreSQL deduplicates."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from feedsite import realtime
from profiles.events import backlog, state
from profiles.events.models import EventBacklog, Interaction
from profiles.events.rebuild import realtime_rebuild
from tests.factories import ContentItemFactory, ShopperFactory
from tests.profiles.events.conftest import make_event, post_events, stream_event

pytestmark = pytest.mark.django_db


def test_accepted_events_are_in_the_write_ahead_before_they_are_consumed(browser):
    item = ContentItemFactory()
    events = [make_event(item.pk, "like") for _ in range(3)]

    body = post_events(browser, events).json()

    assert body["accepted"] == 3
    assert sorted(EventBacklog.objects.values_list("event_id", flat=True)) == sorted(e["event_id"] for e in events)


def test_events_the_store_lost_before_they_were_consumed_are_stored(browser, consumer):
    item = ContentItemFactory()
    events = [make_event(item.pk, "like") for _ in range(4)]
    assert post_events(browser, events).json()["accepted"] == 4

    realtime.client().flushdb()  # restarted without persistence: the stream and its group are gone
    consumer.drain()

    assert sorted(Interaction.objects.values_list("event_id", flat=True)) == sorted(e["event_id"] for e in events)
    assert state.item_counters([item.pk])[item.pk]["n:like"] == 4
    assert not EventBacklog.objects.exists()


def test_a_batch_retried_after_the_store_lost_its_memory_is_a_duplicate_and_counts_once(browser, consumer):
    item = ContentItemFactory()
    events = [make_event(item.pk, "like") for _ in range(3)]
    post_events(browser, events)
    consumer.drain()
    realtime.client().flushdb()
    realtime_rebuild()  # the operator restores the real-time state from PostgreSQL

    retry = post_events(browser, events).json()
    consumer.drain()

    assert (retry["accepted"], retry["duplicates"]) == (0, 3)
    assert Interaction.objects.count() == 3
    assert state.item_counters([item.pk])[item.pk]["n:like"] == 3


def test_reconcile_appends_only_what_the_stream_no_longer_holds(browser, consumer):
    item = ContentItemFactory()
    post_events(browser, [make_event(item.pk, "like") for _ in range(2)])
    # Within the grace, before the stream's entries: they are still there, nothing is appended.
    EventBacklog.objects.update(appended_at=timezone.now() - timedelta(seconds=5))
    assert backlog.backlog_reconcile() == 0

    realtime.client().flushdb()
    EventBacklog.objects.update(appended_at=timezone.now() - timedelta(seconds=60))

    assert backlog.backlog_reconcile() == 2
    assert backlog.backlog_reconcile() == 0  # each taken once, until this append is lost too
    consumer.drain()
    assert Interaction.objects.count() == 2
    assert state.item_counters([item.pk])[item.pk]["n:like"] == 2


def test_the_write_ahead_insert_keeps_what_the_orm_keeps():
    if connection.vendor != "postgresql":
        pytest.skip("the single-statement insert is PostgreSQL's")
    shopper, item = ShopperFactory(), ContentItemFactory()
    context = {"device": "mobile", "viewport": [390, 844]}
    events = [
        stream_event(shopper.pk, item.pk, "add_to_cart", 1_700_000_000.125, "full", context=context, value=2.0),
        stream_event(shopper.pk, item.pk, "view", 1_700_000_001.0, "waiting"),
        stream_event(shopper.pk, item.pk, "view", 1_700_000_002.0, "stored"),
        stream_event(shopper.pk, item.pk, "like", 1_700_000_003.0, "new"),
    ]
    results = {}
    for insert in (backlog.backlog_insert_sql, backlog.backlog_insert_orm):
        EventBacklog.objects.all().delete()
        Interaction.objects.all().delete()
        backlog.backlog_insert_orm(events[1:2])
        Interaction.objects.create(
            event_id="stored", shopper=shopper, content=item, type="view", occurred_at=events[2].occurred_at
        )
        new = insert(events)
        rows = list(EventBacklog.objects.order_by("id").values_list("event_id", "payload"))
        results[insert.__name__] = (new, rows)

    assert results["backlog_insert_sql"] == results["backlog_insert_orm"]
    new, rows = results["backlog_insert_orm"]
    assert new == {"full", "new"}
    assert rows == [(e.event_id, e.to_wire()) for e in (events[1], events[0], events[3])]
