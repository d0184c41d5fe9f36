"""The creator reputation formula (``moderation.reputation.creators``' docstring), input by input."""

from dataclasses import replace

import pytest
from django.conf import settings

from moderation.reputation import NEUTRAL, Evidence, breakdown, reputation
from moderation.reputation.creators import terms
from ranking.signals import NEUTRAL_REPUTATION

# A creator with some of everything, every rate at its typical value: the base the inputs move.
TYPICAL = Evidence(
    judged=20,
    removed=1,
    upheld=0,
    impressions=1000,
    views=1000,
    hides=20,
    likes=50,
    purchases=5,
    watch_events=100,
    watch_sum=50.0,
    age_days=30,
)


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (Evidence(), 0.5),  # nothing known: neutral
        (Evidence(judged=10), 0.7461),  # ten items, none removed: better than typical
        (Evidence(judged=6, removed=6), 0.0483),  # everything removed: far below the default bar
        (Evidence(judged=6, removed=1), 0.3673),
        (Evidence(judged=10, upheld=3), 0.0952),  # three upheld reports on ten items
        (Evidence(impressions=1000, hides=200, likes=50, purchases=5), 0.1649),  # one card in five hidden
        (Evidence(impressions=1, hides=1), 0.4796),  # one hide: the prior holds
        (Evidence(age_days=365), 0.5717),  # a year old, nothing else known
    ],
)
def test_reputation_follows_the_formula(evidence, expected):
    assert reputation(evidence) == pytest.approx(expected, abs=1e-4)


def test_a_new_creator_is_neutral_and_neutral_is_served_by_default():
    assert reputation(Evidence()) == NEUTRAL == NEUTRAL_REPUTATION  # ranking's for a creator without a standing
    assert settings.FEED_MIN_CREATOR_REPUTATION < NEUTRAL


@pytest.mark.parametrize(
    ("change", "direction"),
    [
        ({"removed": 3}, -1),
        ({"upheld": 2}, -1),
        ({"hides": 60}, -1),
        ({"likes": 150}, +1),
        ({"likes": 10}, -1),
        ({"purchases": 20}, +1),
        ({"purchases": 0}, -1),
        ({"watch_sum": 90.0}, +1),
        ({"watch_sum": 10.0}, -1),
        ({"age_days": 700}, +1),
        ({"age_days": 0}, -1),
        ({"judged": 60}, +1),  # more items kept, as many removed
    ],
)
def test_each_input_moves_the_reputation_its_way(change, direction):
    moved = reputation(replace(TYPICAL, **change))

    assert (moved - reputation(TYPICAL)) * direction > 0.001


def test_removals_weigh_more_than_anything_engagement_and_age_can_make_up():
    removed = Evidence(judged=6, removed=6)
    adored = replace(removed, impressions=10_000, likes=5_000, purchases=500, watch_events=1000, watch_sum=1000.0)

    assert reputation(replace(adored, age_days=3650)) < settings.FEED_MIN_CREATOR_REPUTATION
    assert terms(adored).quality == 1.5  # clamped: engagement multiplies the odds by 1.5 at most


def test_a_long_clean_engaging_record_tends_to_one():
    clean = Evidence(
        judged=500,
        impressions=100_000,
        views=100_000,
        likes=5_000,
        purchases=500,
        watch_events=1000,
        watch_sum=500.0,
        age_days=720,
    )
    assert 0.999 < reputation(clean) < 1


def test_hides_without_impressions_count_as_hides_on_as_many_cards():
    # An import or a client that sends no impressions: no division by zero, the prior still holds.
    assert reputation(Evidence(hides=1)) == reputation(Evidence(impressions=1, hides=1))
    assert 0 < reputation(Evidence(hides=1000)) < 0.2


def test_the_breakdown_shows_each_input_and_the_result():
    evidence = Evidence(judged=6, removed=1, upheld=2, impressions=300, hides=9, likes=4, age_days=12)

    lines = breakdown(evidence)

    assert lines[0] == "Removed 1 of 6 items judged: removal share 0.094 (typical 0.05)"
    assert lines[1] == "Upheld reports 2: 0.138 per item (typical 0.02)"
    assert lines[2] == "Hidden 9 times in 300 cards shown: hide rate 0.0260 (typical 0.02)"
    assert lines[-2] == "Account 12 days old → tenure ×1.03"
    assert lines[-1].endswith(f"= {reputation(evidence):.3f}")
