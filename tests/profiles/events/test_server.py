import pytest

from profiles.events.consumer import EventConsumer
from profiles.events.models import Interaction
from profiles.events.server import events_record_server
from tests.factories import ContentItemFactory, ShopperFactory

pytestmark = pytest.mark.django_db


def test_server_events_take_the_browsers_road_and_dedupe_with_its_copy():
    shopper, item = ShopperFactory(), ContentItemFactory()
    event = {"event_id": "w-0000-1111", "type": "add_to_cart", "item": item.pk, "value": 2}

    first = events_record_server(shopper=shopper, events=[event])
    again = events_record_server(shopper=shopper, events=[event])
    EventConsumer(name="t", block_ms=0).drain()

    assert (first.accepted, again.accepted, again.duplicates) == (1, 0, 1)
    stored = Interaction.objects.get()
    assert (stored.event_id, stored.type, stored.content, stored.value) == ("w-0000-1111", "add_to_cart", item, 2.0)


def test_server_events_get_an_id_and_a_time_when_none_is_given():
    shopper, item = ShopperFactory(), ContentItemFactory()

    result = events_record_server(shopper=shopper, events=[{"type": "purchase", "item": item.pk}])
    EventConsumer(name="t", block_ms=0).drain()

    assert result.accepted == 1
    assert Interaction.objects.get().event_id.startswith("purchase:")


@pytest.mark.parametrize(
    ("personalization", "event", "expected"),
    [
        (False, {"type": "purchase"}, {"accepted": 0, "not_recorded": 1}),
        (True, {"type": "purchase", "position": -1}, {"accepted": 0, "not_recorded": 0}),
    ],
)
def test_consent_and_the_contract_apply_to_server_events(personalization, event, expected):
    shopper, item = ShopperFactory(personalization=personalization), ContentItemFactory()

    result = events_record_server(shopper=shopper, events=[{"item": item.pk, **event}])

    assert {"accepted": result.accepted, "not_recorded": result.not_recorded} == expected
    assert Interaction.objects.count() == 0
