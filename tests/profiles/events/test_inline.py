"""The embedded default's inline consumer: what the web process accepts is stored before it answers."""

import pytest

from profiles.events import writer
from profiles.events.consumer import EventConsumer
from profiles.events.models import Interaction
from tests.factories import ContentItemFactory
from tests.profiles.events.conftest import make_event, post_events

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline(settings):
    settings.EVENTS_CONSUME_INLINE = True


def test_accepted_events_are_stored_before_the_response(browser, shopper_of):
    item = ContentItemFactory()
    good = make_event(item.pk, "like")

    body = post_events(browser, [good, {"type": "like"}]).json()

    assert (body["accepted"], [r["index"] for r in body["rejected"]]) == (1, [1])
    stored = Interaction.objects.get()
    assert (stored.event_id, stored.shopper, stored.type) == (good["event_id"], shopper_of(browser), "like")
    assert not EventConsumer(name="probe").has_work()


def test_a_failed_inline_batch_is_kept_and_stored_by_the_next(browser, monkeypatch):
    item = ContentItemFactory()
    first, second = make_event(item.pk, "view"), make_event(item.pk, "like")
    real_write = writer.interactions_write

    def broken(payloads):
        raise RuntimeError("database went away")

    monkeypatch.setattr(writer, "interactions_write", broken)
    assert post_events(browser, [first]).json()["accepted"] == 1  # accepted, though not yet stored
    assert not Interaction.objects.exists()
    assert EventConsumer(name="probe").has_work()

    monkeypatch.setattr(writer, "interactions_write", real_write)
    post_events(browser, [second])

    assert set(Interaction.objects.values_list("event_id", flat=True)) == {first["event_id"], second["event_id"]}
    assert not EventConsumer(name="probe").has_work()


def test_off_with_a_real_store_the_consumer_process_stores_them(browser, settings):
    settings.EVENTS_CONSUME_INLINE = False
    item = ContentItemFactory()

    assert post_events(browser, [make_event(item.pk, "like")]).json()["accepted"] == 1

    assert not Interaction.objects.exists()
    assert EventConsumer(name="t", block_ms=0).drain() == 1
    assert Interaction.objects.count() == 1
