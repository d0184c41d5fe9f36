import pytest
from django.utils import timezone

from profiles.events import state
from profiles.events.models import InteractionType
from profiles.events.schema import Rejected, parse_event
from profiles.events.types import BY_NAME, CLIENT_TYPES, EVENT_TYPES, event_type


def test_the_table_names_the_interaction_types_in_their_order():
    assert [t.name for t in EVENT_TYPES] == list(InteractionType.values)
    assert len(BY_NAME) == len(EVENT_TYPES)


@pytest.mark.parametrize("kind", EVENT_TYPES, ids=lambda t: t.name)
def test_every_counted_type_is_an_exposure_a_refusal_or_an_engagement(kind):
    if kind.counted:
        assert kind.exposure + kind.refusal + kind.positive == 1
        ranked = "shown" if kind.exposure else "engaged" if kind.positive else None
        assert state.RANKING_KIND_OF.get(kind.name) == ranked
    else:
        assert kind.name not in state.RANKING_KIND_OF
    assert not kind.refusal or kind.affinity < 0
    assert not kind.undoes or event_type(kind.undoes).counted


def _raw(name: str) -> dict:
    return {"event_id": "evt-types-0001", "type": name, "item": 1, "ts": timezone.now().isoformat()}


@pytest.mark.parametrize("name", sorted(CLIENT_TYPES))
def test_the_api_accepts_the_client_types(name):
    assert parse_event(_raw(name), shopper_id=1, now=timezone.now()).type == name


@pytest.mark.parametrize("name", sorted(set(InteractionType.values) - CLIENT_TYPES))
def test_the_api_refuses_the_types_only_imports_make(name):
    with pytest.raises(Rejected) as refused:
        parse_event(_raw(name), shopper_id=1, now=timezone.now())

    assert refused.value.reason == "invalid_type"
    assert not event_type(name).client


@pytest.mark.parametrize(
    ("name", "value", "dwell_ms", "weight"),
    [
        ("like", None, None, 3.0),
        ("hide", None, None, -6.0),
        ("impression", None, None, 0.0),
        ("rate", 5.0, None, 3.75),
        ("rate", None, None, 2.0),
        ("dwell", None, 30_000, 2.0),
        ("dwell", None, 5_000, 0.5),
        ("video_progress", 50.0, None, 0.25),
    ],
)
def test_an_events_affinity_is_its_types_weight_scaled_as_the_type_says(name, value, dwell_ms, weight):
    assert state.affinity_weight(event_type(name), value=value, dwell_ms=dwell_ms) == pytest.approx(weight)
