"""What reputation and trust change: who is served, the ranker's ``c_reputation``, counters and trending."""

import math
import time
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from content.models import ContentItem
from content.services import content_remove
from moderation.models import CreatorStanding
from moderation.reputation.services import creator_reputations_advance, shopper_trust_override
from profiles.events import state
from profiles.events.meta import item_meta
from ranking.features import Context
from ranking.history import history_load
from ranking.world import World, WorldConfig
from tests.factories import (
    ContentItemFactory,
    CreatorFactory,
    InteractionFactory,
    ShopperFactory,
    ShopperTrustFactory,
    UserFactory,
)
from tests.profiles.events.conftest import stream_event
from tests.ranking.test_features import features

pytestmark = pytest.mark.django_db


def _later():
    return timezone.now() + timedelta(minutes=5)


def test_a_creator_whose_reputation_falls_below_the_bar_stops_being_served(
    api_client, settings, django_capture_on_commit_callbacks
):
    creator = CreatorFactory()
    items = ContentItemFactory.create_batch(6, creator=creator)
    other = ContentItemFactory()
    creator_reputations_advance(now=_later())

    def served() -> set[int]:
        return {card["id"] for card in api_client.get("/api/v1/feed?limit=20").json()["cards"]}

    assert served() == {item.pk for item in items} | {other.pk}

    with django_capture_on_commit_callbacks(execute=True):
        for item in items[:5]:
            content_remove(item=item, reason="counterfeit")
    creator_reputations_advance(now=_later())

    assert CreatorStanding.objects.get(creator=creator).reputation < settings.FEED_MIN_CREATOR_REPUTATION
    api_client.cookies.clear()  # a new feed session
    assert served() == {other.pk}


def test_a_higher_reputation_raises_c_reputation_for_the_creators_items():
    liked, plain = CreatorFactory(), CreatorFactory()
    liked_items = ContentItemFactory.create_batch(20, creator=liked)
    plain_item = ContentItemFactory(creator=plain)
    shopper = ShopperFactory()
    for item in liked_items:
        for kind in ["impression", "view", "like", "purchase"]:
            InteractionFactory(shopper=shopper, content=item, type=kind)
    InteractionFactory(shopper=shopper, content=plain_item, type="view")

    def c_reputation() -> dict[int, float]:
        history = history_load()
        world = World.fit(history)
        ids = [liked_items[0].pk, plain_item.pk]
        got = features(world, [], [world.item_index[pk] for pk in ids], Context.at(world.now))
        return dict(zip(ids, got["c_reputation"].tolist(), strict=True))

    before = c_reputation()
    creator_reputations_advance(now=_later())
    after = c_reputation()

    assert before == {liked_items[0].pk: 0.5, plain_item.pk: 0.5}  # nobody judged yet: neutral
    reputations = dict(CreatorStanding.objects.values_list("creator_id", "reputation"))
    assert after[liked_items[0].pk] == pytest.approx(reputations[liked.pk], rel=1e-6)
    assert after[liked_items[0].pk] > 0.8 > after[plain_item.pk]  # twenty items liked and bought vs one view
    assert after[plain_item.pk] == pytest.approx(reputations[plain.pk], rel=1e-6)


@pytest.mark.parametrize(("trust", "counted"), [(0.2, 0.2), (0.49, 0.49), (0.7, 1.0)])
def test_a_low_trust_shoppers_like_adds_less_to_the_counters_than_a_trusted_ones(
    trust, counted, django_capture_on_commit_callbacks
):
    trusted, doubted = ShopperFactory(), ShopperFactory()
    with django_capture_on_commit_callbacks(execute=True):
        shopper_trust_override(shopper=doubted, value=trust, by=UserFactory(), reason="test")
    mine, theirs = ContentItemFactory(), ContentItemFactory()
    now = time.time()

    state.apply_events(
        [stream_event(trusted.pk, mine.pk, "like", now), stream_event(doubted.pk, theirs.pk, "like", now)],
        item_meta([mine.pk, theirs.pk]),
    )

    counters = state.item_counters([mine.pk, theirs.pk], now=now)
    assert counters[mine.pk]["like:1h"] == pytest.approx(1.0)
    assert counters[theirs.pk]["like:1h"] == pytest.approx(counted, rel=1e-4)
    assert counters[theirs.pk]["n:like"] == counters[mine.pk]["n:like"] == 1  # the count cards show stays exact
    ranked = state.ranking_counters([mine.pk, theirs.pk], [], now=now)
    engaged = state.RANKING_COLUMNS.index("engaged:1h")
    assert ranked.items[:, engaged].tolist() == pytest.approx([1.0, counted], rel=1e-4)


def test_low_trust_shoppers_weigh_less_in_popularity_trending_and_the_worlds_counters():
    trusted, doubted, fine = ShopperFactory(), ShopperFactory(), ShopperFactory()
    ShopperTrustFactory(shopper=doubted, trust=0.25, computed=0.25)
    ShopperTrustFactory(shopper=fine, trust=0.8, computed=0.8)  # above MODERATION_LOW_TRUST: counts fully
    mine, theirs, its = ContentItemFactory(), ContentItemFactory(), ContentItemFactory()
    at = timezone.now() - timedelta(hours=1)
    for shopper, item in [(trusted, mine), (doubted, theirs), (fine, its)]:
        InteractionFactory(shopper=shopper, content=item, type="like", occurred_at=at)
    InteractionFactory(shopper=trusted, content=its, type="impression", occurred_at=at + timedelta(minutes=1))

    history = history_load()
    world = World.fit(history, WorldConfig(min_item_users=1))  # every item in the trending universe

    weights = dict(zip(history.shoppers.tolist(), history.shopper_weight.tolist(), strict=True))
    assert weights == {trusted.pk: 1.0, doubted.pk: 0.25, fine.pk: 1.0}
    index = [world.item_index[item.pk] for item in (mine, theirs, its)]
    np.testing.assert_allclose(world.log_pop[0.0][index], np.log1p([1.0, 0.25, 1.0]), rtol=1e-6)
    np.testing.assert_allclose(world.log_pop[90.0][index], np.log1p([1.0, 0.25, 1.0]), rtol=1e-4)
    trending = np.asarray(world.buckets.sum(axis=0)).ravel()
    np.testing.assert_allclose(trending[world.universe_pos[index]], [1.0, 0.25, 1.0], rtol=1e-6)
    engaged = state.RANKING_COLUMNS.index("engaged:7d")
    decay = math.exp2(-60 / state.WINDOWS["7d"])  # a minute before the world's clock
    np.testing.assert_allclose(world.item_counts[index, engaged], [decay, 0.25 * decay, decay], rtol=1e-5)


def test_without_low_trust_shoppers_the_history_weighs_nobody():
    InteractionFactory(type="like")
    ShopperTrustFactory(trust=0.9, computed=0.9)

    assert history_load().shopper_weight is None


def test_items_without_a_creator_are_left_to_moderation_of_items():
    card = ContentItemFactory(kind=ContentItem.Kind.PRODUCT_CARD, creator=None)
    InteractionFactory(content=card, type="hide")

    assert creator_reputations_advance(now=_later()) == 0
    assert not CreatorStanding.objects.exists()
