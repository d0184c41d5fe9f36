"""The confidence sequence: its width against Robbins' normal mixture integrated numerically, and
its coverage over repeated looks in simulated A/A experiments."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize

from experiments.stats import DEFAULT_HORIZON, compare_proportions, sequence_multiplier
from experiments.stats.sequential import mixture_precision


def mixture_boundary(n: int, *, alpha: float, a: float) -> float:
    """Where Robbins' normal mixture of exp(λS − λ²V/2), λ ~ N(0, ρ²), reaches 1/alpha, in
    standard errors: with unit variance, V = n, ρ² = a, and S = k·sqrt(n) at the boundary."""

    def mixture(k: float) -> float:
        s = k * math.sqrt(n)
        sd = math.sqrt(a)

        def integrand(lam: float) -> float:
            return math.exp(lam * s - lam * lam * n / 2 - lam * lam / (2 * a)) / (sd * math.sqrt(2 * math.pi))

        peak = s / (n + 1 / a)
        width = 12 / math.sqrt(n + 1 / a)
        value, _ = integrate.quad(integrand, peak - width, peak + width, limit=200)
        return value

    return optimize.brentq(lambda k: mixture(k) - 1 / alpha, 0.1, 20.0, xtol=1e-12)


@pytest.mark.parametrize(("n", "alpha", "horizon"), [(50, 0.05, 1000), (1000, 0.05, 1000), (20_000, 0.01, 1000)])
def test_multiplier_is_where_the_normal_mixture_crosses_one_over_alpha(n, alpha, horizon):
    a = mixture_precision(alpha=alpha, horizon=horizon)

    assert sequence_multiplier(n, alpha=alpha, horizon=horizon) == pytest.approx(
        mixture_boundary(n, alpha=alpha, a=a), rel=1e-6
    )


def test_multiplier_is_smallest_near_the_horizon_and_always_wider_than_the_fixed_interval():
    looks = [100, 1_000, 5_000, 10_000, 20_000, 100_000, 1_000_000]
    widths = [sequence_multiplier(n, alpha=0.05, horizon=10_000) for n in looks]

    assert min(widths) == widths[looks.index(10_000)]
    assert all(k > 1.96 for k in widths)
    assert math.isnan(sequence_multiplier(0, alpha=0.05))


def test_sequential_interval_covers_the_null_at_every_look_while_the_fixed_interval_does_not():
    # Given 400 A/A experiments (10 % conversion in both arms) read after every 250 shoppers per arm
    rng = np.random.default_rng(2024)
    runs, looks, step, rate = 400, 20, 250, 0.1
    ever_excluded_seq = ever_excluded_fixed = 0
    for _ in range(runs):
        conversions = rng.binomial(1, rate, size=(2, looks * step)).cumsum(axis=1)
        seq_wrong = fixed_wrong = False
        for look in range(1, looks + 1):
            n = look * step
            result = compare_proportions(
                int(conversions[0, n - 1]), n, int(conversions[1, n - 1]), n, horizon=DEFAULT_HORIZON
            )
            seq_wrong |= not result.seq_low <= 0.0 <= result.seq_high
            fixed_wrong |= not result.lift_low <= 0.0 <= result.lift_high
        ever_excluded_seq += seq_wrong
        ever_excluded_fixed += fixed_wrong

    # Then the sequential interval excluded the true lift (0) at some look in at most alpha of them
    assert ever_excluded_seq / runs <= 0.05
    # while peeking at the fixed-horizon interval would have declared a winner far more often
    assert ever_excluded_fixed / runs > 0.15
