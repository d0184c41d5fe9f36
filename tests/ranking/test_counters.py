"""Counter features end to end: the consumer's counters and the world's agree, and a page reads the freshest."""

import math
import time
from datetime import timedelta

import numpy as np
import pytest

from feedsite import realtime
from profiles.events import state
from profiles.events.meta import item_meta
from profiles.events.models import Interaction
from profiles.events.rebuild import realtime_rebuild
from profiles.models import Shopper
from ranking import registry, serving
from ranking.features import COUNTERS
from ranking.training import ranker_train
from tests.factories import ContentItemFactory, CreatorFactory, InteractionFactory
from tests.profiles.events.conftest import stream_event
from tests.ranking.test_serving import OPEN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ranker_storage")]
# Served feature rows are logged with 4 decimals.
LOGGED = 1e-4


def _newcomers_page(when):
    """Every candidate of a newcomer's page asked at ``when``, with the features it was ranked with."""
    ranked = serving.rank(
        shopper=Shopper(personalization=False), exclude=set(), size=500, policy=OPEN, first_page=True, when=when
    )
    names = registry.active_ranker().features
    return {pk: dict(zip(names, row, strict=True)) for pk, row in ranked.features.items()}


def _column(name):
    return state.RANKING_COLUMNS.index(name)


def test_the_consumers_counters_and_the_worlds_give_the_same_features(shop):
    # given: a creator's two items shown, viewed, liked or skipped in the last hours of the data, and
    # every stored interaction replayed through the consumer's own code (``state.apply_events``)
    cats, _, shoppers = shop
    creator = CreatorFactory()
    pair = [ContentItemFactory(creator=creator, tags=[cats[0]]) for _ in range(2)]
    end = Interaction.objects.latest("occurred_at").occurred_at
    for n, (shopper, _) in enumerate(shoppers[:12]):
        answer = "like" if n % 3 else "skip"
        for kind, minutes in (("impression", 300 + n), ("view", 200 + n), (answer, 20 + n)):
            InteractionFactory(
                shopper=shopper, content=pair[n % 2], type=kind, occurred_at=end - timedelta(minutes=minutes)
            )
    realtime_rebuild()
    ranker_train(activate="always", rounds=20)
    world = registry.active_ranker().extra["world"]
    in_store = state.ranking_counters([item.pk for item in pair], [creator.pk], now=world.now)

    # when: a page asked at the data's end, with the store's counters, then with the world's only
    from_store = _newcomers_page(world.now)
    realtime.client().flushdb()
    from_world = _newcomers_page(world.now)

    # then
    assert in_store.item_found.all()
    assert in_store.creator_found.all()
    assert {item.pk for item in pair} <= set(from_store)
    assert from_store[pair[1].pk]["i_eng_1h"] > 0
    assert from_store[pair[1].pk]["i_imp_24h"] > 0
    assert from_store.keys() == from_world.keys()
    for pk, served in from_store.items():
        for name in COUNTERS:
            assert served[name] == pytest.approx(from_world[pk][name], abs=2 * LOGGED), (pk, name)


def test_engagements_after_training_count_on_the_next_page(shop):
    _, items, shoppers = shop
    ranker_train(activate="always", rounds=20)
    hot = items[1][0]
    now = time.time()
    # ten shoppers like it within the last half hour: consumed, not yet in any model
    payloads = [stream_event(shoppers[n][0].pk, hot.pk, "like", now - n * 180) for n in range(10)]
    state.apply_events(payloads, item_meta([hot.pk]))

    page = _newcomers_page(now)

    ages = np.arange(10) * 180.0
    assert page[hot.pk]["i_eng_1h"] == pytest.approx(math.log1p(np.exp2(-ages / 3600).sum()), abs=LOGGED)
    assert page[hot.pk]["c_eng_24h"] == pytest.approx(math.log1p(np.exp2(-ages / 86400).sum()), abs=LOGGED)
    assert page[hot.pk]["i_imp_7d"] == 0.0


@pytest.mark.parametrize("store", ["without counters", "down"])
def test_without_the_stores_counters_a_page_takes_the_worlds_decayed_to_the_request_time(shop, store, request):
    ranker_train(activate="always", rounds=20)
    world = registry.active_ranker().extra["world"]
    if store == "down":
        request.getfixturevalue("realtime_down")
    when = world.now + 2 * 3600

    page = _newcomers_page(when)

    assert len(page) >= 10
    decay = np.exp2(-2 * 3600 / np.asarray(state.RANKING_HALF_LIVES))
    engaged_7d = 0
    for pk, served in page.items():
        index = world.item_index[pk]
        item, creator = world.item_counts[index] * decay, world.creator_counts[world.item_creator[index]] * decay
        engaged_7d += item[_column("engaged:7d")] > 0.1
        assert served["i_eng_24h"] == pytest.approx(math.log1p(item[_column("engaged:24h")]), abs=LOGGED)
        assert served["i_eng_7d"] == pytest.approx(math.log1p(item[_column("engaged:7d")]), abs=LOGGED)
        assert served["c_eng_7d"] == pytest.approx(math.log1p(creator[_column("engaged:7d")]), abs=LOGGED)
    assert engaged_7d >= 5  # the comparison means something: last week's likes, two hours on
