"""The tests that segments differ, against the textbook formulas worked on fixed data.

With 2 degrees of freedom the χ² distribution's tail is exp(−x/2), so the p-values of the χ² and
Kruskal–Wallis cases below are closed forms, not another library's output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from experiments.segments.checks import independence, kruskal, pairwise_welch

TABLE = np.array([[10, 20, 30], [20, 20, 10]])


def test_chi_square_of_independence_by_hand():
    n = TABLE.sum()
    expected = np.outer(TABLE.sum(axis=1), TABLE.sum(axis=0)) / n
    chi2 = ((TABLE - expected) ** 2 / expected).sum()  # Σ (observed − expected)² / expected

    result = independence(TABLE, rows=["a", "b"], columns=["x", "y", "z"], name="outcome")

    assert chi2 == pytest.approx(12.5278, abs=1e-4)  # worked on paper too
    assert result["statistic"] == pytest.approx(chi2, abs=1e-4)
    assert result["dof"] == 2
    assert result["p_value"] == pytest.approx(math.exp(-chi2 / 2), rel=1e-3)
    assert result["effect"] == pytest.approx(math.sqrt(chi2 / (n * 1)), abs=1e-4)
    assert result["differ"] is True


def test_an_empty_segment_is_left_out_of_the_chi_square():
    with_empty = np.vstack([TABLE, [0, 0, 0]])

    result = independence(with_empty, rows=["a", "b", "empty"], columns=["x", "y", "z"], name="outcome")

    assert (result["statistic"], result["dof"]) == (pytest.approx(12.5278, abs=1e-4), 2)
    assert result["table"][2] == [0, 0, 0]


@pytest.mark.parametrize(
    "table",
    [
        np.array([[5, 0], [7, 0]]),  # one outcome for everybody
        np.array([[5, 3], [0, 0]]),  # one segment only
    ],
)
def test_a_chi_square_that_cannot_be_run_says_why(table):
    result = independence(table, rows=["a", "b"], columns=["yes", "no"], name="outcome")

    assert "p_value" not in result
    assert result["skipped"]


def test_kruskal_wallis_by_hand():
    # distinct values: each is its own rank
    groups = [np.array([1.0, 5, 9]), np.array([2.0, 6, 10, 11]), np.array([3.0, 4, 7, 8, 12])]
    n = 12
    rank_sums = [15, 29, 34]
    h = 12 / (n * (n + 1)) * sum(r**2 / len(g) for r, g in zip(rank_sums, groups, strict=True)) - 3 * (n + 1)

    result = kruskal(groups, name="figure")

    assert result["statistic"] == pytest.approx(h, abs=1e-4)
    assert result["dof"] == 2
    assert result["p_value"] == pytest.approx(math.exp(-h / 2), rel=1e-3)
    assert result["effect"] == pytest.approx(h / (n - 1), abs=1e-4)


def test_kruskal_on_one_value_everywhere_says_why():
    result = kruskal([np.zeros(4), np.zeros(3)], name="spend")

    assert result["skipped"] == "every shopper has the same value"


def _welch(x, y):
    """Welch's t, Welch–Satterthwaite degrees of freedom and the two-sided p from the t distribution."""
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    t = (x.mean() - y.mean()) / math.sqrt(vx + vy)
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    return t, 2 * scipy_stats.t.sf(abs(t), df)


def test_pairwise_welch_by_hand_with_holm():
    samples = {
        "a": np.array([3.1, 2.9, 3.4, 3.8, 2.7, 3.3]),
        "b": np.array([4.2, 4.8, 3.9, 5.1, 4.4]),
        "c": np.array([3.0, 3.6, 2.8, 3.5, 3.2, 3.9, 3.1]),
    }
    by_hand = {(a, b): _welch(samples[a], samples[b]) for a, b in [("a", "b"), ("a", "c"), ("b", "c")]}
    # Holm: the smallest p times 3, the next times 2 (never below the one before), the largest times 1
    ordered = sorted(by_hand, key=lambda pair: by_hand[pair][1])
    holm, running = {}, 0.0
    for position, pair in enumerate(ordered):
        running = max(running, min(1.0, (3 - position) * by_hand[pair][1]))
        holm[pair] = running

    pairs = pairwise_welch(samples, figure="spend")

    assert [(p["a"], p["b"]) for p in pairs] == [("a", "b"), ("a", "c"), ("b", "c")]
    for pair in pairs:
        t, p = by_hand[(pair["a"], pair["b"])]
        assert pair["t"] == pytest.approx(t, abs=1e-4)
        assert pair["p_value"] == pytest.approx(p, rel=1e-3)
        assert pair["p_holm"] == pytest.approx(holm[(pair["a"], pair["b"])], rel=1e-3)
    assert {(p["a"], p["b"]): p["differ"] for p in pairs} == {pair: holm[pair] < 0.05 for pair in by_hand}
    assert {(p["a"], p["b"]): p["differ"] for p in pairs}[("a", "c")] is False


def test_pairs_without_variation_or_shoppers_are_not_tested():
    pairs = pairwise_welch(
        {"a": np.zeros(5), "b": np.zeros(4), "c": np.array([1.0]), "d": np.array([1.0, 2.0, 3.0])}, figure="x"
    )

    assert [(p["a"], p["b"]) for p in pairs] == [("a", "d"), ("b", "d")]
    # against a segment with no spread, Welch's t is the other's: (0 − 2) / √(1/3), on 2 df
    _, p = _welch(np.zeros(5), np.array([1.0, 2.0, 3.0]))
    assert (pairs[0]["t"], pairs[0]["p_value"]) == (
        pytest.approx(-2 / math.sqrt(1 / 3), abs=1e-4),
        pytest.approx(p, rel=1e-3),
    )
