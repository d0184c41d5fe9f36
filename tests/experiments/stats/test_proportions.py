"""compare_proportions against the textbook formulas worked with ``math`` and a published example."""

from __future__ import annotations

import math

import pytest

from experiments.stats import as_json, compare_proportions

Z95 = 1.959963984540054


def normal_two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2.0))


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_newcombs_worked_example_56_of_70_against_48_of_80():
    # Given Newcomb (1998), Statistics in Medicine 17:873, example (a): 56/70 against 48/80
    result = compare_proportions(48, 80, 56, 70, metric="conversion")

    # Then each arm's share and the difference are the plain fractions
    assert result.metric == "conversion"
    assert result.kind == "proportion"
    assert (result.n_control, result.n_treatment) == (80, 70)
    assert result.control == pytest.approx(0.6)
    assert result.treatment == pytest.approx(0.8)
    assert result.diff == pytest.approx(0.2)
    # and the interval is Newcomb's method 10 (hybrid score), published as 0.0524 to 0.3339,
    assert result.diff_low == pytest.approx(0.0524, abs=5e-5)
    assert result.diff_high == pytest.approx(0.3339, abs=5e-5)
    # which is, from each arm's Wilson interval, p_t − p_c − δ and p_t − p_c + ε
    l_t, u_t = wilson(56, 70)
    l_c, u_c = wilson(48, 80)
    assert result.diff_low == pytest.approx(0.2 - math.hypot(0.8 - l_t, u_c - 0.6), rel=1e-9)
    assert result.diff_high == pytest.approx(0.2 + math.hypot(u_t - 0.8, 0.6 - l_c), rel=1e-9)


def test_p_value_is_the_pooled_z_test():
    # Given 48/80 against 56/70, the pooled share is 104/150
    pooled = 104 / 150
    z = (0.8 - 0.6) / math.sqrt(pooled * (1 - pooled) * (1 / 70 + 1 / 80))

    result = compare_proportions(48, 80, 56, 70)

    assert z == pytest.approx(2.6502, abs=1e-4)
    assert result.p_value == pytest.approx(normal_two_sided(z), rel=1e-9)


def test_lift_interval_is_the_delta_method_on_the_log_ratio():
    # Given 120 of 1,000 against 100 of 1,000: a lift of 20 %
    se = math.sqrt((1 - 0.12) / (1000 * 0.12) + (1 - 0.1) / (1000 * 0.1))

    result = compare_proportions(100, 1000, 120, 1000)

    assert result.lift == pytest.approx(0.2)
    assert result.lift_low == pytest.approx(1.2 * math.exp(-Z95 * se) - 1, rel=1e-9)
    assert result.lift_high == pytest.approx(1.2 * math.exp(Z95 * se) - 1, rel=1e-9)
    # asymmetric around the lift, as a ratio's interval is
    assert result.lift_high - result.lift > result.lift - result.lift_low


def test_alpha_sets_the_width_of_every_interval():
    wide = compare_proportions(100, 1000, 120, 1000, alpha=0.01)
    narrow = compare_proportions(100, 1000, 120, 1000, alpha=0.2)

    assert wide.alpha == 0.01
    assert wide.diff_low < narrow.diff_low < narrow.diff_high < wide.diff_high
    assert wide.lift_low < narrow.lift_low < narrow.lift_high < wide.lift_high
    assert wide.seq_low < narrow.seq_low < narrow.seq_high < wide.seq_high
    assert wide.p_value == narrow.p_value


def test_sequential_interval_contains_the_fixed_horizon_one():
    result = compare_proportions(1000, 10_000, 1100, 10_000)

    assert result.seq_low < result.lift_low < result.lift < result.lift_high < result.seq_high


def test_an_arm_without_shoppers_gives_nan_figures_and_a_note():
    result = compare_proportions(0, 0, 5, 10)

    assert result.treatment == 0.5
    assert math.isnan(result.control)
    assert all(map(math.isnan, (result.p_value, result.lift, result.diff_low)))
    assert result.note == "an arm has no exposed shoppers"
    serialised = as_json(result)
    assert serialised["control"] is None
    assert serialised["p_value"] is None
    assert serialised["treatment"] == 0.5


def test_a_control_of_zero_leaves_the_lift_undefined_but_tests_the_difference():
    result = compare_proportions(0, 500, 6, 500)

    assert result.control == 0.0
    assert all(map(math.isnan, (result.lift, result.lift_low, result.seq_high)))
    assert result.note == "the control is zero or less: the lift is undefined"
    # the difference is still tested and has an interval
    assert result.diff == pytest.approx(0.012)
    assert 0 < result.p_value < 0.05
    assert result.diff_low < result.diff < result.diff_high


def test_no_successes_anywhere_is_no_evidence():
    result = compare_proportions(0, 300, 0, 300)

    assert result.p_value == 1.0
    assert result.diff == 0.0
    assert result.diff_low < 0 < result.diff_high


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError, match="between 0 and the number"):
        compare_proportions(11, 10, 1, 10)


def test_a_treatment_of_zero_is_minus_100_percent_without_a_lift_interval():
    result = compare_proportions(8, 400, 0, 400)

    assert result.lift == -1.0
    assert math.isnan(result.lift_low)
    assert math.isnan(result.seq_low)
    assert result.note == "the treatment is zero: the lift is -100 % and has no interval"
    assert result.diff_low < result.diff_high < 0


def test_the_example_of_the_statistics_page():
    # docs/experiments/statistics.md, "Reading a result"
    many = compare_proportions(1000, 10_000, 1100, 10_000)
    few = compare_proportions(100, 1000, 110, 1000)

    assert [round(x, 3) for x in (many.lift, many.lift_low, many.lift_high, many.seq_low, many.seq_high)] == [
        0.1,
        0.014,
        0.193,
        -0.031,
        0.248,
    ]
    assert round(many.p_value, 3) == 0.021
    assert [round(x, 3) for x in (few.lift_low, few.lift_high, few.p_value)] == [-0.149, 0.421, 0.466]
