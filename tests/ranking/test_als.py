"""The ALS candidate source: item factors fitted with the world, each shopper's solved at scoring."""

import numpy as np
import pytest

from ranking.candidates.generators import GENERATORS, als_shoppers, score_all, top_candidates
from ranking.history import history_load
from ranking.world import World, WorldConfig

pytestmark = pytest.mark.django_db


def _events(world: World, items) -> tuple[np.ndarray, ...]:
    """A shopper the world never saw, who liked ``items`` at the world's clock."""
    index = np.array([world.item_index[item.pk] for item in items], np.int64)
    n = len(index)
    return index, np.full(n, world.now), np.full(n, np.nan, np.float32), np.ones(n, np.int64)


def test_a_new_shopper_is_proposed_unseen_items_of_the_category_they_engaged_with(shop):
    _, items, _ = shop
    world = World.fit(history_load())
    liked = items[2][:4]
    block = world.block([_events(world, liked)])

    scores = score_all(world, block)
    _, proposed = top_candidates(world, block, {"als": scores["als"]}, 8)

    # 48 items: 6 factors, one per 8 items (64 would fit the noise of so few)
    assert world.als.shape == (len(world.universe), len(world.universe) // 8)
    category = {world.item_index[item.pk] for item in items[2]}
    seen = {world.item_index[item.pk] for item in liked}
    assert not seen & set(proposed.tolist())
    # 85 % of the fixture's shoppers' likes stay in their category: most of the best 8 are of it.
    assert len(category & set(proposed.tolist())) >= 6


def test_the_fit_is_the_same_on_every_run_and_a_shopper_without_history_scores_nothing(shop):
    history = history_load()
    first, second = World.fit(history), World.fit(history)
    block = first.block([(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.float32), np.zeros(0, np.int64))])

    np.testing.assert_array_equal(first.als, second.als)
    assert "als" in GENERATORS
    assert not als_shoppers(first, block).any()
    assert not score_all(first, block)["als"].any()


def test_too_little_data_fits_no_factors_and_the_source_proposes_nothing(shop):
    world = World.fit(history_load(), WorldConfig(als_factors=0))
    _, items, _ = shop
    block = world.block([_events(world, items[0][:3])])

    assert world.als.shape == (len(world.universe), 0)
    assert not score_all(world, block)["als"].any()
