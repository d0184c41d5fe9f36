import time
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.core.management import call_command

from feedsite import realtime
from profiles.events import state, stream
from profiles.events.rebuild import realtime_rebuild
from tests.factories import BrandFactory, ContentItemFactory, ProductFactory, TagFactory
from tests.profiles.events.conftest import make_event, post_events

pytestmark = pytest.mark.django_db

STATE_PATTERNS = ("rt:s:*", "rt:i:*", "rt:c:*", "rt:p:*")


# Decayed values are compared as of one time after every event of the test: a merged batch stores
# them as of its latest event, one event at a time as of each event, and both mean the same value
# from then on. Set per test: a value decayed to a moment before its event does not decay.
@pytest.fixture
def as_of() -> float:
    return time.time() + 60


def _halflife(key: str, field: str) -> float:
    if key.endswith(":aff"):
        return settings.FEED_AFFINITY_HALF_LIFE_HOURS * 3600.0
    return state.WINDOWS[field.rpartition(":")[2]]


def state_snapshot(as_of: float):
    """Every state key: hashes as {field: value decayed to as_of} or totals, lists as they are,
    packed ranking counters as their values decayed to as_of."""
    client = realtime.client()
    found = {}
    for pattern in STATE_PATTERNS:
        for raw in client.scan_iter(match=pattern):
            key = raw.decode()
            if client.type(key) == b"list":
                found[key] = [entry.decode() for entry in client.lrange(key, 0, -1)]
                continue
            if client.type(key) == b"string":
                values, _ = state.ranking_decode([client.get(key)], now=as_of)
                found[key] = [pytest.approx(value, rel=1e-4) for value in values[0].tolist()]
                continue
            fields = {}
            for field, value in client.hgetall(key).items():
                text = value.decode()
                if "|" in text:
                    value = state.decayed_value(text, as_of, _halflife(key, field.decode()))
                    fields[field.decode()] = pytest.approx(value, rel=1e-4)
                else:
                    fields[field.decode()] = int(text)
            found[key] = fields
    return found


@pytest.fixture
def live(browser, consumer, as_of):
    """Events of two shoppers on tagged, branded, product-carrying items, consumed as in production."""
    tags = TagFactory.create_batch(2)
    category = TagFactory(kind="category")
    product = ProductFactory(brand=BrandFactory(), price=42)
    shoe = ContentItemFactory(tags=[tags[0], category], products=[product])
    bag = ContentItemFactory(tags=[tags[1]])
    now = time.time()
    events = [
        make_event(shoe.pk, "view", ts=now - 7200),
        make_event(shoe.pk, "like", ts=now - 3600),
        make_event(bag.pk, "dwell", ts=now - 1800, dwell_ms=12_000),
        make_event(shoe.pk, "add_to_cart", ts=now - 600, product=product.pk),
        make_event(bag.pk, "like", ts=now - 300),
        make_event(bag.pk, "unlike", ts=now - 200),
        make_event(shoe.pk, "purchase", ts=now - 60),
        make_event(shoe.pk, "view", ts=now - 30),
    ]
    post_events(browser, events[:4])
    other = type(browser)(HTTP_USER_AGENT=browser.defaults["HTTP_USER_AGENT"])
    other.get("/api/v1/feed")
    post_events(other, events[4:])
    consumer.drain()
    return state_snapshot(as_of)


@pytest.mark.parametrize("batch_size", [1, 3, 2000])
def test_rebuild_reproduces_the_state_live_consumption_built(live, batch_size, as_of):
    report = realtime_rebuild(batch_size=batch_size)

    assert state_snapshot(as_of) == live
    assert (report.events, report.applied) == (8, 8)
    assert report.batches == -(-8 // batch_size)


def test_rebuild_restores_a_lost_store(live, as_of):
    realtime.client().flushdb()

    realtime_rebuild()

    assert state_snapshot(as_of) == live


def test_replaying_the_stream_after_a_rebuild_changes_nothing(live, consumer, as_of):
    realtime_rebuild()

    consumer.process(realtime.client().xrange(stream.STREAM))

    assert state_snapshot(as_of) == live


def test_rebuild_drops_state_no_interaction_supports_and_keeps_other_keys(live, as_of):
    client = realtime.client()
    client.hset("rt:i:999999", "n:like", 40)
    client.rpush("rt:s:999999:recent", "1:like:1.0")
    client.set("rt:dedupe:kept-event", 1)

    report = realtime_rebuild()

    assert state_snapshot(as_of) == live
    assert client.get("rt:dedupe:kept-event") == b"1"
    assert client.exists(stream.STREAM) == 1
    assert report.keys_cleared == len(live) + 2 + 8  # state keys, the two strays, the applied markers


def test_rebuild_since_replays_only_later_interactions(browser, consumer, as_of):
    item = ContentItemFactory()
    now = time.time()
    post_events(browser, [make_event(item.pk, "view", ts=now - 7200), make_event(item.pk, "view", ts=now - 60)])
    consumer.drain()

    report = realtime_rebuild(since=datetime.fromtimestamp(now - 3600, tz=UTC))

    assert report.events == 1
    assert state_snapshot(as_of)[f"rt:i:{item.pk}"]["n:view"] == 1


def test_rebuild_realtime_command_reports_what_it_did(live, capsys, as_of):
    call_command("rebuild_realtime", "--batch-size", "5")

    assert capsys.readouterr().out.strip() == (
        f"cleared {len(live) + 8} keys; replayed 8 interactions in 2 batches "
        "(8 applied, 0 already applied by a consumer)"
    )
    assert state_snapshot(as_of) == live
