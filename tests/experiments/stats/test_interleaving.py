"""preference against Wilson's interval and the binomial test worked by hand."""

from __future__ import annotations

import math

import pytest

from experiments.stats import as_json, preference


def wilson(successes: int, n: int, z: float) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def binomial_two_sided_half(k: int, n: int) -> float:
    """P(X ≥ k) + P(X ≤ n − k) for X ~ Binomial(n, ½), k ≥ n/2: the exact two-sided p-value."""
    tail = sum(math.comb(n, i) for i in range(k, n + 1)) / 2**n
    return min(1.0, 2 * tail)


def test_sixty_wins_against_forty_with_ties_left_out():
    result = preference(60, 40, 25)

    assert (result.wins_a, result.wins_b, result.ties) == (60, 40, 25)
    assert result.share_a == 0.6
    assert (result.low, result.high) == pytest.approx(wilson(60, 100, 1.959963984540054), rel=1e-9)
    assert result.p_value == pytest.approx(binomial_two_sided_half(60, 100), rel=1e-9)
    assert result.p_value == pytest.approx(0.0569, abs=1e-4)


def test_a_small_sample_uses_the_exact_test_and_the_wilson_interval_at_alpha():
    result = preference(2, 9, 0, alpha=0.1)

    assert result.share_a == pytest.approx(2 / 11)
    assert (result.low, result.high) == pytest.approx(wilson(2, 11, 1.6448536269514722), rel=1e-9)
    assert result.p_value == pytest.approx(binomial_two_sided_half(9, 11), rel=1e-9)


def test_nothing_decided_has_no_share():
    result = preference(0, 0, 12)

    assert math.isnan(result.share_a)
    assert as_json(result) == {
        "wins_a": 0,
        "wins_b": 0,
        "ties": 12,
        "share_a": None,
        "low": None,
        "high": None,
        "p_value": None,
        "alpha": 0.05,
    }
