"""compare_means and CUPED: Welch's t by its formula, CUPED's variance reduction by simulation."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from experiments.stats import compare_means, cuped

CONTROL = [12.0, 15.5, 9.0, 20.0, 11.5, 14.0, 17.5, 10.0]
TREATMENT = [14.0, 18.5, 22.0, 13.0, 19.5, 25.0, 16.0, 21.5, 17.0, 23.5]


def test_welch_t_degrees_of_freedom_and_interval_by_the_formula():
    # Given each arm's mean and sample variance, worked by hand
    m_c, m_t = statistics.fmean(CONTROL), statistics.fmean(TREATMENT)
    v_c = statistics.variance(CONTROL) / len(CONTROL)
    v_t = statistics.variance(TREATMENT) / len(TREATMENT)
    t = (m_t - m_c) / math.sqrt(v_c + v_t)
    df = (v_c + v_t) ** 2 / (v_c**2 / (len(CONTROL) - 1) + v_t**2 / (len(TREATMENT) - 1))
    half = sps.t.ppf(0.975, df) * math.sqrt(v_c + v_t)

    result = compare_means(CONTROL, TREATMENT, metric="revenue")

    assert result.kind == "mean"
    assert (result.n_control, result.n_treatment) == (8, 10)
    assert result.control == pytest.approx(13.6875)
    assert result.treatment == pytest.approx(19.0)
    assert result.diff == pytest.approx(5.3125)
    assert result.p_value == pytest.approx(2 * sps.t.sf(abs(t), df), rel=1e-9)
    assert result.diff_low == pytest.approx(m_t - m_c - half, rel=1e-9)
    assert result.diff_high == pytest.approx(m_t - m_c + half, rel=1e-9)
    assert result.cuped is None


def test_welch_interval_agrees_with_statsmodels_compare_means():
    # A second library's Welch interval (unequal variances) on the same data
    low, high = CompareMeans(DescrStatsW(np.array(TREATMENT)), DescrStatsW(np.array(CONTROL))).tconfint_diff(
        alpha=0.1, usevar="unequal"
    )

    result = compare_means(CONTROL, TREATMENT, alpha=0.1)

    assert (result.diff_low, result.diff_high) == pytest.approx((low, high), rel=1e-9)


def test_lift_interval_is_the_delta_method_on_the_log_ratio_of_means():
    m_c, m_t = statistics.fmean(CONTROL), statistics.fmean(TREATMENT)
    se = math.sqrt(
        statistics.variance(TREATMENT) / len(TREATMENT) / m_t**2 + statistics.variance(CONTROL) / len(CONTROL) / m_c**2
    )

    result = compare_means(CONTROL, TREATMENT)

    assert result.lift == pytest.approx(19.0 / 13.6875 - 1)
    assert result.lift_low == pytest.approx(m_t / m_c * math.exp(-1.959963984540054 * se) - 1, rel=1e-9)
    assert result.lift_high == pytest.approx(m_t / m_c * math.exp(1.959963984540054 * se) - 1, rel=1e-9)


def test_a_treatment_mean_of_zero_uses_the_delta_method_on_the_ratio_itself():
    control, treatment = [1.0, 3.0, 2.0, 2.0], [1.0, -1.0, 0.0, 0.0]
    # Var(T/C) ≈ Var(T)/C² + T²·Var(C)/C⁴, with T = 0
    se = math.sqrt(statistics.variance(treatment) / 4 / 2.0**2)

    result = compare_means(control, treatment)

    assert result.lift == -1.0
    z = 1.959963984540054
    assert (result.lift_low, result.lift_high) == pytest.approx((-1 - z * se, -1 + z * se))


def test_cuped_theta_is_the_regression_slope_and_keeps_the_mean():
    y = [3.0, 5.0, 4.0, 8.0, 10.0]
    x = [1.0, 2.0, 2.0, 4.0, 6.0]
    x_bar, y_bar = statistics.fmean(x), statistics.fmean(y)
    slope = sum((a - x_bar) * (b - y_bar) for a, b in zip(x, y, strict=True)) / sum((a - x_bar) ** 2 for a in x)

    adjusted, theta = cuped(y, x)

    assert theta == pytest.approx(slope)
    assert adjusted == pytest.approx([b - slope * (a - x_bar) for a, b in zip(x, y, strict=True)])
    assert adjusted.mean() == pytest.approx(y_bar)


def test_cuped_with_a_constant_covariate_changes_nothing():
    adjusted, theta = cuped([1.0, 2.0, 3.0], [0.0, 0.0, 0.0])

    assert theta == 0.0
    assert list(adjusted) == [1.0, 2.0, 3.0]


def test_cuped_reports_the_share_of_the_differences_variance_removed():
    # Given pre-experiment values that explain part of the post values
    pre_c, pre_t = [1.0, 2.0, 3.0, 4.0, 5.0], [1.5, 2.5, 3.5, 4.5, 6.0]
    post_c, post_t = [2.1, 2.9, 4.2, 4.8, 6.1], [3.0, 3.8, 5.1, 6.2, 7.4]
    adjusted, _ = cuped(post_c + post_t, pre_c + pre_t)
    raw = statistics.variance(post_c) / 5 + statistics.variance(post_t) / 5
    kept = statistics.variance(adjusted[:5]) / 5 + statistics.variance(adjusted[5:]) / 5

    result = compare_means(post_c, post_t, pre_c=pre_c, pre_t=pre_t)

    assert result.cuped == pytest.approx(1 - kept / raw)
    assert result.cuped > 0.5
    assert result.control == pytest.approx(statistics.fmean(adjusted[:5]))
    # the same Welch test, run on the adjusted values
    plain = compare_means(list(adjusted[:5]), list(adjusted[5:]))
    assert result.p_value == pytest.approx(plain.p_value)


def test_cuped_on_simulated_experiments_removes_about_rho_squared_and_stays_unbiased():
    # Given 500 simulated experiments: 200 shoppers per arm, post = pre·rho + noise, a true effect of 0.3
    rng = np.random.default_rng(20250125)
    rho, effect, runs, n = 0.6, 0.3, 500, 200
    raw, adjusted, reported = [], [], []
    for _ in range(runs):
        pre = rng.normal(size=(2, n))
        post = 10 + rho * pre + math.sqrt(1 - rho**2) * rng.normal(size=(2, n))
        post[1] += effect
        raw.append(compare_means(post[0], post[1]).diff)
        with_cuped = compare_means(post[0], post[1], pre_c=pre[0], pre_t=pre[1])
        adjusted.append(with_cuped.diff)
        reported.append(with_cuped.cuped)

    # Then the estimate's variance across experiments is lower by about rho² (0.36)
    assert 1 - np.var(adjusted) / np.var(raw) == pytest.approx(rho**2, abs=0.07)
    # as each experiment reported
    assert np.mean(reported) == pytest.approx(rho**2, abs=0.03)
    # and the adjusted estimate is centred on the true effect (within three standard errors)
    assert abs(np.mean(adjusted) - effect) < 3 * np.std(adjusted) / math.sqrt(runs)


def test_cuped_needs_both_arms_pre_values():
    with pytest.raises(ValueError, match="both arms"):
        compare_means([1.0, 2.0], [2.0, 3.0], pre_c=[0.0, 1.0])
    with pytest.raises(ValueError, match="one pre-experiment value"):
        compare_means([1.0, 2.0], [2.0, 3.0], pre_c=[0.0], pre_t=[1.0, 2.0])


@pytest.mark.parametrize(
    ("control", "treatment", "note"),
    [
        ([], [1.0, 2.0], "an arm has no exposed shoppers"),
        ([1.0], [1.0, 2.0], "an arm has fewer than two shoppers: no interval"),
    ],
)
def test_too_few_shoppers_gives_nan_intervals_and_a_note(control, treatment, note):
    result = compare_means(control, treatment)

    assert result.note == note
    assert result.treatment == 1.5
    assert all(map(math.isnan, (result.p_value, result.diff_low, result.seq_low)))


def test_identical_constant_arms_are_no_evidence_and_different_ones_are_certain():
    same = compare_means([2.0, 2.0, 2.0], [2.0, 2.0])
    apart = compare_means([2.0, 2.0, 2.0], [3.0, 3.0])

    assert (same.p_value, same.diff_low, same.diff_high) == (1.0, 0.0, 0.0)
    assert (apart.p_value, apart.diff_low, apart.diff_high) == (0.0, 1.0, 1.0)


def test_a_missing_value_is_refused_rather_than_averaged():
    with pytest.raises(ValueError, match="finite numbers"):
        compare_means([1.0, math.nan], [2.0, 3.0])
