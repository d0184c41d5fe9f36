"""sample_ratio against χ² worked by hand (closed-form p-values), adjust against hand-worked Holm and BH."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from experiments.stats import SRM_THRESHOLD, adjust, as_json, compare_proportions, sample_ratio


def test_a_50_50_split_served_as_52_48_on_20000_shoppers_is_flagged():
    # χ² = Σ (observed − expected)² / expected = 2 · 400² / 10,000 = 32; with one degree of
    # freedom, p = P(|Z| > √32) = erfc(√(32 / 2))
    result = sample_ratio([10_400, 9_600], [50, 50])

    assert result.expected == [10_000.0, 10_000.0]
    assert result.observed == [10_400, 9_600]
    assert result.chi2 == pytest.approx(32.0)
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(16.0)), rel=1e-9)
    assert result.flagged is True
    assert result.threshold == SRM_THRESHOLD == 0.001


def test_a_fair_split_is_not_flagged():
    # 10,050 / 9,950: χ² = 2 · 50² / 10,000 = 0.5
    result = sample_ratio([10_050, 9_950], [1, 1])

    assert result.chi2 == pytest.approx(0.5)
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(0.25)), rel=1e-9)
    assert result.flagged is False


def test_three_variants_by_weight_with_the_two_degree_of_freedom_closed_form():
    # Weights 2:1:1 on 4,000 shoppers expect 2,000 / 1,000 / 1,000; with two degrees of freedom
    # the χ² survival function is exp(−χ²/2)
    chi2 = 60**2 / 2000 + 70**2 / 1000 + 10**2 / 1000

    result = sample_ratio([1_940, 1_070, 990], [2, 1, 1])

    assert result.expected == [2000.0, 1000.0, 1000.0]
    assert result.chi2 == pytest.approx(chi2)
    assert result.p_value == pytest.approx(math.exp(-chi2 / 2), rel=1e-9)
    # p ≈ 0.03 would pass an ordinary 0.05 test but is not a broken split at the 0.001 threshold
    assert result.flagged is False
    assert sample_ratio([1_940, 1_070, 990], [2, 1, 1], threshold=0.05).flagged is True


def test_a_variant_without_weight_but_with_shoppers_is_a_mismatch():
    result = sample_ratio([500, 480, 3], [1, 1, 0])

    assert result.flagged is True
    assert result.p_value == 0.0
    assert as_json(result)["chi2"] is None
    # and without shoppers it is simply left out of the test
    assert sample_ratio([500, 480, 0], [1, 1, 0]).chi2 == pytest.approx(sample_ratio([500, 480], [1, 1]).chi2)


@pytest.mark.parametrize(("counts", "weights"), [([0, 0], [1, 1]), ([700, 0], [1, 0])])
def test_nothing_to_test_is_not_flagged(counts, weights):
    result = sample_ratio(counts, weights)

    assert (result.chi2, result.p_value, result.flagged) == (0.0, 1.0, False)


def test_sample_ratio_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="one weight per count"):
        sample_ratio([1, 2, 3], [1, 1])


def with_p_values(*p_values: float):
    """Comparisons carrying the given p-values (the rest of the record does not matter here)."""
    base = compare_proportions(10, 100, 12, 100)
    return [dataclasses.replace(base, p_value=p, metric=f"m{i}") for i, p in enumerate(p_values)]


def test_holm_against_a_hand_worked_example():
    # Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → raised to 0.06 (monotone)
    adjusted = adjust(with_p_values(0.01, 0.04, 0.03, 0.005))

    assert [c.p_adjusted for c in adjusted] == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert [c.metric for c in adjusted] == ["m0", "m1", "m2", "m3"]
    assert [c.p_value for c in adjusted] == [0.01, 0.04, 0.03, 0.005]


def test_benjamini_hochberg_against_a_hand_worked_example():
    # Sorted: 0.005·4/1 = 0.02, 0.01·4/2 = 0.02, 0.03·4/3 = 0.04, 0.04·4/4 = 0.04 (monotone from the top)
    adjusted = adjust(with_p_values(0.01, 0.04, 0.03, 0.005), method="bh")

    assert [c.p_adjusted for c in adjusted] == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_a_comparison_without_a_p_value_is_left_out_of_the_family():
    adjusted = adjust(with_p_values(0.01, math.nan, 0.04))

    # Holm over two: 0.01·2 = 0.02, 0.04·1 → 0.04
    assert adjusted[0].p_adjusted == pytest.approx(0.02)
    assert math.isnan(adjusted[1].p_adjusted)
    assert adjusted[2].p_adjusted == pytest.approx(0.04)
    assert adjust([]) == []


def test_an_unknown_correction_is_refused():
    with pytest.raises(ValueError, match="unknown correction 'sidak'"):
        adjust(with_p_values(0.01), method="sidak")


def test_as_json_gives_strict_json_for_every_record():
    records = [
        compare_proportions(0, 0, 1, 5),
        adjust(with_p_values(math.nan))[0],
        sample_ratio([5, 1], [1, 0]),
    ]

    for record in records:
        text = json.dumps(as_json(record), allow_nan=False)
        assert "NaN" not in text
        assert "Infinity" not in text
