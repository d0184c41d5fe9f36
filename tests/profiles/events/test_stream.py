import uuid

import pytest

from feedsite import realtime
from profiles.events import state, stream
from tests.factories import ContentItemFactory, ShopperFactory
from tests.profiles.events.conftest import stream_event

pytestmark = pytest.mark.django_db


def test_a_retried_append_appends_once(monkeypatch):
    """redis-py sends a command again when its answer timed out; the batch's token makes that a no-op."""
    shopper, item = ShopperFactory(), ContentItemFactory()
    events = [stream_event(shopper.pk, item.pk, "view"), stream_event(shopper.pk, item.pk, "like")]
    token = uuid.uuid4()
    monkeypatch.setattr(stream.uuid, "uuid4", lambda: token)

    stream.append(events)
    stream.append(events)

    assert len(realtime.client().xrange(stream.STREAM)) == 2
    assert len(state.shopper_recent(shopper.pk)) == 2
