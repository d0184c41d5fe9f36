"""The shopper trust formula (``moderation.reputation.shoppers``' docstring) and its inputs from event times."""

import numpy as np
import pytest

from moderation.reputation import TrustInputs, trust
from moderation.reputation.shoppers import breakdown, factors, inputs_of

T0 = 1_780_000_000.0


def _human(n: int, seed: int = 7) -> list[float]:
    """Scrolling in bursts and pauses: gaps drawn log-normally (a second to a minute or so)."""
    gaps = np.random.default_rng(seed).lognormal(mean=1.5, sigma=1.2, size=n - 1)
    return list(T0 + np.r_[0.0, np.cumsum(gaps)])


def _script(n: int, every: float) -> list[float]:
    return [T0 + every * k for k in range(n)]


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (TrustInputs(), 1.0),  # no evidence: fully trusted
        (TrustInputs(peak_per_minute=60), 1.0),  # a card a second is fine
        (TrustInputs(peak_per_minute=120), 0.5),
        (TrustInputs(gap_cv=1.3), 1.0),
        (TrustInputs(gap_cv=0.05), 0.1),
        (TrustInputs(actions=10, unexposed_actions=10), 1 - 10 / 15),
        (TrustInputs(actions=10, unexposed_actions=0), 1.0),
        (TrustInputs(peak_per_minute=120, gap_cv=0.25, actions=5, unexposed_actions=5), 0.5 * 0.5 * 0.5),
    ],
)
def test_trust_follows_the_formula(inputs, expected):
    assert trust(inputs) == pytest.approx(expected)


def test_a_scripted_regular_burst_is_not_trusted_and_a_human_sequence_is():
    burst = inputs_of(_script(200, every=0.5), ["view"] * 200, unexposed=0)
    human = inputs_of(_human(200), ["impression", "view"] * 100, unexposed=0)

    assert (burst.events, burst.peak_per_minute) == (200, 120)
    assert burst.gap_cv == pytest.approx(0.0, abs=1e-9)
    assert trust(burst) < 0.01
    assert human.gap_cv > 1.0
    assert human.peak_per_minute < 30
    assert (human.impressions, trust(human)) == (100, 1.0)


def test_too_few_events_say_nothing_about_regularity():
    few = inputs_of(_script(20, every=5.0), ["view"] * 20, unexposed=0)  # 19 gaps

    assert (few.gap_cv, factors(few).regularity) == (None, 1.0)


def test_events_at_one_instant_leave_regularity_to_the_rate():
    same = inputs_of([T0] * 30, ["like"] * 30, unexposed=30)

    assert (same.gap_cv, same.peak_per_minute, same.actions) == (None, 30, 30)
    assert trust(same) == pytest.approx(1 - 30 / 35)


def test_the_peak_is_the_busiest_sixty_seconds_wherever_they_start():
    times = [T0, T0 + 50, T0 + 55, T0 + 58, T0 + 110, T0 + 200]

    assert (
        inputs_of(times, ["view"] * 6, unexposed=0).peak_per_minute == 4
    )  # 50..110 s holds four (110 − 50 = 60 is out)


def test_the_breakdown_names_each_factor():
    lines = breakdown(
        TrustInputs(events=300, impressions=120, actions=10, unexposed_actions=10, peak_per_minute=120, gap_cv=0.1)
    )

    assert lines == [
        "300 events (120 impressions) in the window",
        "Peak 120 events in a minute (ok up to 60) → ×0.50",
        "Variation of the gaps between events 0.10 (people ≥ 0.5) → ×0.20",
        "10 of 10 likes, shares and carts on items never shown → ×0.33",
        "Trust = 0.50 × 0.20 × 0.33 = 0.033",
    ]
