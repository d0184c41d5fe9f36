import json
from datetime import UTC, datetime

import pytest

from profiles.events import writer
from profiles.events.event import Event
from profiles.events.models import Interaction
from profiles.events.schema import parse_event
from tests.factories import ContentItemFactory, ProductFactory, ShopperFactory


def _stored(event_id: str) -> dict:
    row = Interaction.objects.values().get(event_id=event_id)
    return {k: v for k, v in row.items() if k not in ("id", "received_at")}


@pytest.mark.django_db
def test_an_api_event_keeps_every_field_through_the_wire_to_its_stored_row():
    shopper, item, product = ShopperFactory(), ContentItemFactory(), ProductFactory()
    raw = {
        "event_id": "evt-roundtrip-1",
        "type": "add_to_cart",
        "item": item.pk,
        "ts": "2030-01-02T03:04:05.678901+02:00",
        "session_id": "sess-1",
        "request_id": "req-1",
        "position": 4,
        "dwell_ms": 1200,
        "value": 2,
        "product": product.pk,
        "context": {"device": "mobile", "viewport": [390, 844], "progress": 50, "surface": "feed"},
    }
    then = datetime(2030, 1, 2, 1, 4, 5, 679000, tzinfo=UTC)  # to the millisecond, in UTC

    event = parse_event(raw, shopper_id=shopper.pk, now=then)
    carried = Event.from_wire(json.loads(json.dumps(event.to_wire())))
    writer.interactions_write([carried])

    assert carried == event
    assert event == Event(
        event_id="evt-roundtrip-1",
        shopper_id=shopper.pk,
        item_id=item.pk,
        type="add_to_cart",
        occurred_at=then,
        session_id="sess-1",
        request_id="req-1",
        position=4,
        dwell_ms=1200,
        value=2.0,
        product_id=product.pk,
        context=raw["context"],
    )
    assert _stored("evt-roundtrip-1") == {
        "event_id": "evt-roundtrip-1",
        "shopper_id": shopper.pk,
        "content_id": item.pk,
        "product_id": product.pk,
        "type": "add_to_cart",
        "occurred_at": then,
        "session_id": "sess-1",
        "request_id": "req-1",
        "position": 4,
        "dwell_ms": 1200,
        "value": 2.0,
        "context": raw["context"],
    }


@pytest.mark.parametrize(
    "wire",
    [
        {"e": "old-bare-0001", "t": "view", "i": 1, "s": 2, "ts": 1700000000.123},
        {
            "e": "old-full-0001",
            "t": "purchase",
            "i": 1,
            "s": 2,
            "ts": 1700000000.5,
            "sid": "s",
            "rid": "r",
            "pos": 0,
            "dw": 10,
            "v": 3.0,
            "p": 7,
            "c": {"device": "tv"},
        },
    ],
)
def test_an_entry_written_before_the_typed_event_reads_and_writes_back_unchanged(wire):
    """The stream's and the backlog's entries of the previous version are this version's wire format."""
    assert Event.from_wire(wire).to_wire() == wire
