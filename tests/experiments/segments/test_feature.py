"""The shopper's RFM group as the ranking feature ``u_segment``: asked through ranking's signal,
as of each shopper's own moment in training, carried with the world to serving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from content.models import Tag
from experiments.segments import rfm
from experiments.segments.activity import activity_load
from experiments.segments.models import SegmentRun
from ranking import history as ranking_history
from ranking.features import feature_names
from ranking.history import history_load
from ranking.policy import policy_for
from ranking.registry import active_ranker
from ranking.replay import candidates_for
from ranking.serving import rank
from ranking.training import ranker_train
from ranking.world import World
from tests.experiments.segments.conftest import AS_OF, active_shopper, days_before, order_at
from tests.experiments.segments.test_rfm import EXPECTED, SHOPPERS
from tests.factories import ContentItemFactory, InteractionFactory, OrderFactory, ShopperFactory

pytestmark = pytest.mark.django_db
CODE = {group.key: group.code for group in rfm.GROUPS}


@pytest.fixture
def ranker_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture(autouse=True)
def rfm_computed():
    """The shop's RFM segments have been computed once: the feature is fed (``feature``)."""
    SegmentRun.objects.create(kind="rfm")


def test_a_shop_that_never_computed_its_segments_gives_nobody_a_segment(item):
    SegmentRun.objects.all().delete()
    for r, d, s in SHOPPERS.values():
        active_shopper(item, recency_days=r, active_days=d, spend=s)
    history = history_load()

    codes = ranking_history.shopper_segments(history, np.full(history.nu, AS_OF.timestamp()))

    assert codes.tolist() == [0] * history.nu
    SegmentRun.objects.create(kind="behaviour")  # clusters alone do not feed it either
    assert set(ranking_history.shopper_segments(history, np.full(history.nu, AS_OF.timestamp())).tolist()) == {0}
    SegmentRun.objects.create(kind="rfm")
    assert len(set(ranking_history.shopper_segments(history, np.full(history.nu, AS_OF.timestamp())).tolist())) > 1


def test_ranking_asks_and_gets_each_shoppers_group_as_of_a_moment(item):
    shoppers = {
        name: active_shopper(item, recency_days=r, active_days=d, spend=s) for name, (r, d, s) in SHOPPERS.items()
    }
    history = history_load()

    codes = ranking_history.shopper_segments(history, np.full(history.nu, AS_OF.timestamp()))

    found = {name: int(codes[history.shopper_index[shopper.pk]]) for name, shopper in shoppers.items()}
    assert found == {name: CODE[EXPECTED[name][3]] for name in SHOPPERS}
    # the nightly recomputation's route agrees
    assert rfm.rfm_score(activity_load(as_of=AS_OF)).codes() == {
        shoppers[name].pk: code for name, code in found.items()
    }


def test_what_a_shopper_does_after_their_moment_does_not_reach_their_code(item):
    newcomer = ShopperFactory()
    InteractionFactory(shopper=newcomer, content=item, occurred_at=days_before(20))
    for k in range(4):  # regulars: two active days each, longer ago
        active_shopper(item, recency_days=30 + 10 * k, active_days=2)
    # the newcomer buys after the moment asked about
    InteractionFactory(shopper=newcomer, content=item, type="purchase", occurred_at=days_before(1))
    order_at(OrderFactory(shopper=newcomer, total=Decimal("30")), days_before(1))
    history = history_load()
    u = history.shopper_index[newcomer.pk]

    then = ranking_history.shopper_segments(history, np.full(history.nu, days_before(10).timestamp()))
    later = ranking_history.shopper_segments(history, np.full(history.nu, AS_OF.timestamp()))

    # 10 days before: the most recent of 5 (R 5), one active day (F 1), nothing bought
    assert rfm.GROUPS[then[u] - 1].key == "browsers"
    # now: R 5, and still the fewest active days (F 1), a buyer
    assert rfm.GROUPS[later[u] - 1].key == "new"


def test_nobody_answering_gives_every_shopper_no_segment(item, monkeypatch):
    from ranking import signals

    active_shopper(item, recency_days=1, active_days=2)
    history = history_load()
    monkeypatch.setattr(signals.shopper_segments, "receivers", [])
    monkeypatch.setattr(signals.shopper_segments, "sender_receivers_cache", {})

    assert ranking_history.shopper_segments(history, np.full(history.nu, AS_OF.timestamp())).tolist() == [0]


def test_replayed_candidates_carry_each_shoppers_code_as_of_when_they_came_back(item):
    rng = np.random.default_rng(2)
    items = [ContentItemFactory() for _ in range(8)]
    shoppers = [ShopperFactory() for _ in range(12)]
    for n, shopper in enumerate(shoppers):
        for step, pick in enumerate(rng.choice(8, size=4, replace=False).tolist()):
            InteractionFactory(
                shopper=shopper, content=items[pick], type="like", occurred_at=days_before(10 + n - step)
            )
        if n % 3 == 0:
            order_at(OrderFactory(shopper=shopper, total=Decimal(20 + n)), days_before(8 + n))
    history = history_load()
    world = World.fit(history)
    users = [history.shopper_index[s.pk] for s in shoppers[:4]]
    # everybody comes back at AS_OF: the same moment as the database's route below
    returns = {u: (AS_OF.timestamp(), 0) for u in range(history.nu)}

    rows, _, features = candidates_for(world, history, users, returns)

    column = feature_names(world).index("u_segment")
    by_shopper = {int(history.shoppers[u]): set(features[rows == u, column].tolist()) for u in users}
    expected = rfm.rfm_score(activity_load(as_of=AS_OF)).codes()
    assert by_shopper == {s.pk: {expected[s.pk]} for s in shoppers[:4]}
    assert len({expected[s.pk] for s in shoppers[:4]}) > 1


def _shop():
    """Shoppers loyal to a category, some of whom bought: enough for a small model."""
    rng = np.random.default_rng(4)
    cats = [Tag.objects.create(slug=f"cat-{c}", name=f"Category {c}", kind=Tag.Kind.CATEGORY) for c in range(4)]
    items = {c: [ContentItemFactory(tags=[cats[c]]) for _ in range(12)] for c in range(4)}
    # whole seconds: the world's clock, a float, is the newest event's time exactly
    start = datetime.now(tz=UTC).replace(microsecond=0) - timedelta(days=60)
    shoppers = []
    for s in range(40):
        shopper = ShopperFactory()
        for step in range(14):
            pool = items[s % 4]
            when = start + timedelta(days=step * 4 + int(rng.integers(3)), hours=s % 24)
            InteractionFactory(
                shopper=shopper, content=pool[int(rng.integers(len(pool)))], type="like", occurred_at=when
            )
        if s % 4 == 0:
            order_at(OrderFactory(shopper=shopper, total=Decimal(10 + s)), start + timedelta(days=30 + s % 20))
        shoppers.append(shopper)
    return shoppers


@pytest.mark.usefixtures("ranker_storage")
def test_training_carries_the_codes_to_serving_with_its_world():
    shoppers = _shop()

    ranker_train(activate="always", rounds=10)

    ranker = active_ranker()
    world = ranker.extra["world"]
    as_of = datetime.fromtimestamp(world.now, tz=UTC)
    expected = rfm.rfm_score(activity_load(as_of=as_of)).codes()
    assert world.shopper_segment == expected
    assert len(set(expected.values())) > 1
    assert ranker.features[-1] == "u_segment"

    shopper = shoppers[0]
    ranked = rank(shopper=shopper, exclude=set(), size=5, policy=policy_for(), first_page=True, when=world.now)
    assert {row[-1] for row in ranked.features.values()} == {expected[shopper.pk]}
