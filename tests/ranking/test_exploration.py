from collections import Counter

import numpy as np
import pytest

from ranking.exploration import thompson_pick

DRAWS = 4000


def picks(stats, seed=7):
    rng = np.random.default_rng(seed)
    return Counter(thompson_pick(stats, rng) for _ in range(DRAWS))


def test_an_item_with_a_strong_early_rate_is_chosen_more_often_than_one_with_a_poor_rate():
    # 6 engagements in 20 impressions (30 %) against 1 in 20 (5 %)
    won = picks([(20, 1), (20, 6)])

    assert won[1] > 0.85 * DRAWS
    assert won[0] > 0.01 * DRAWS  # the poor one still gets explored now and then


def test_with_no_data_the_choice_is_uniform():
    won = picks([(0, 0)] * 4)

    assert [won[i] / DRAWS for i in range(4)] == pytest.approx([0.25] * 4, abs=0.03)


def test_engagements_above_impressions_count_as_a_perfect_rate():
    won = picks([(5, 9), (5, 0)])

    assert won[0] > 0.95 * DRAWS


def test_nothing_to_pick_from_is_an_error():
    with pytest.raises(ValueError, match="no candidates"):
        thompson_pick([], np.random.default_rng(0))
