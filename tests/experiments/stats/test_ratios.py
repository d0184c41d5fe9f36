"""compare_ratios: the delta-method variance by its formula, and against a simulation."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from scipy import stats as sps

from experiments.stats import compare_ratios, ratio_of_sums

# Per shopper: clicks and impressions
CLICKS_C = [1.0, 0.0, 3.0, 2.0, 0.0, 5.0]
IMPRESSIONS_C = [10.0, 4.0, 20.0, 12.0, 6.0, 30.0]
CLICKS_T = [2.0, 1.0, 4.0, 0.0, 3.0]
IMPRESSIONS_T = [9.0, 5.0, 18.0, 3.0, 15.0]


def delta_variance(num: list[float], den: list[float]) -> float:
    """Var(N̄)/D̄² − 2 N̄ Cov(N̄, D̄)/D̄³ + N̄² Var(D̄)/D̄⁴, written out with ``statistics``."""
    n = len(num)
    n_bar, d_bar = statistics.fmean(num), statistics.fmean(den)
    var_n = statistics.variance(num) / n
    var_d = statistics.variance(den) / n
    cov = statistics.covariance(num, den) / n
    return var_n / d_bar**2 - 2 * n_bar * cov / d_bar**3 + n_bar**2 * var_d / d_bar**4


def test_ratio_of_sums_and_its_delta_method_variance_by_the_formula():
    ratio, variance = ratio_of_sums(np.array(CLICKS_C), np.array(IMPRESSIONS_C))

    assert ratio == pytest.approx(11 / 82)
    assert variance == pytest.approx(delta_variance(CLICKS_C, IMPRESSIONS_C), rel=1e-12)


def test_comparison_is_a_normal_test_on_the_difference_of_ratios():
    se = math.sqrt(delta_variance(CLICKS_C, IMPRESSIONS_C) + delta_variance(CLICKS_T, IMPRESSIONS_T))
    diff = 10 / 50 - 11 / 82
    z = diff / se

    result = compare_ratios(CLICKS_C, IMPRESSIONS_C, CLICKS_T, IMPRESSIONS_T, metric="click_through")

    assert result.kind == "ratio"
    assert (result.n_control, result.n_treatment) == (6, 5)
    assert (result.control, result.treatment) == pytest.approx((11 / 82, 10 / 50))
    assert result.diff == pytest.approx(diff)
    assert result.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-9)
    assert (result.diff_low, result.diff_high) == pytest.approx(
        (diff - 1.959963984540054 * se, diff + 1.959963984540054 * se)
    )
    # the lift: delta method on the log ratio, Var(log R) = Var(R) / R²
    se_log = math.sqrt(
        delta_variance(CLICKS_T, IMPRESSIONS_T) / (10 / 50) ** 2
        + delta_variance(CLICKS_C, IMPRESSIONS_C) / (11 / 82) ** 2
    )
    ratio = (10 / 50) / (11 / 82)
    assert result.lift == pytest.approx(ratio - 1)
    assert result.lift_low == pytest.approx(ratio * math.exp(-1.959963984540054 * se_log) - 1)


def simulated_arm(rng: np.random.Generator, shoppers: int) -> tuple[np.ndarray, np.ndarray]:
    """Shoppers who differ: each sees 1 + Poisson(15) cards and clicks at a rate of their own."""
    impressions = 1 + rng.poisson(15, size=shoppers)
    rates = rng.beta(1.0, 7.0, size=shoppers)
    return rng.binomial(impressions, rates).astype(float), impressions.astype(float)


def test_delta_method_standard_error_matches_the_spread_across_simulated_samples():
    # Given 2,000 simulated samples of 300 shoppers each
    rng = np.random.default_rng(7)
    ratios, ses, naive = [], [], []
    for _ in range(2000):
        clicks, impressions = simulated_arm(rng, 300)
        ratio, variance = ratio_of_sums(clicks, impressions)
        ratios.append(ratio)
        ses.append(math.sqrt(variance))
        naive.append(math.sqrt(ratio * (1 - ratio) / impressions.sum()))

    # Then the delta method's standard error is the ratio's actual spread across samples
    assert np.mean(ses) == pytest.approx(np.std(ratios), rel=0.05)
    # while counting impressions as independent units understates it badly
    assert np.mean(naive) < 0.8 * np.std(ratios)


def test_interval_on_the_difference_covers_the_truth_in_95_percent_of_simulated_experiments():
    rng = np.random.default_rng(11)
    runs = 1000
    covered = 0
    for _ in range(runs):
        control, treatment = simulated_arm(rng, 250), simulated_arm(rng, 250)
        result = compare_ratios(*control, *treatment)
        covered += result.diff_low <= 0.0 <= result.diff_high

    # Binomial(1000, 0.95) lies in [0.93, 0.97] with probability above 99.8 %
    assert 0.93 <= covered / runs <= 0.97
    assert sps.binomtest(covered, runs, 0.95).pvalue > 0.001


def test_an_arm_whose_denominators_sum_to_zero_has_no_ratio():
    result = compare_ratios([0.0, 0.0], [0.0, 0.0], [1.0, 2.0], [5.0, 5.0])

    assert math.isnan(result.control)
    assert result.treatment == pytest.approx(0.3)
    assert math.isnan(result.p_value)
    assert result.note == "an arm's denominator sums to zero"


def test_a_shopper_needs_a_numerator_and_a_denominator():
    with pytest.raises(ValueError, match="one numerator and one denominator"):
        compare_ratios([1.0], [1.0, 2.0], [1.0], [1.0])
