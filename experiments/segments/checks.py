"""Do the segments differ? Tests (scipy, statsmodels) whose results go into ``SegmentRun.summary``.

- ``independence``: χ² test of independence between segment and a yes/no behaviour (a contingency
  table segments × outcomes), with Cramér's V: with tens of thousands of shoppers almost any
  difference is significant, and V says whether it is large (0 none … 1 the segment decides).
- ``kruskal``: Kruskal–Wallis H on a figure across segments (figures such as spend are skewed, so
  ranks rather than means), with ε² = H / (n − 1) as its effect size.
- ``pairwise_welch``: Welch's t-test between every two segments on a figure, p-values adjusted by
  Holm's method for the number of pairs; which pairs cannot be told apart is what a marketer needs.

Each returns a JSON-safe dict; a test that cannot be run on the data (a single segment, no
variation) says why in ``skipped`` instead of a p-value.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

# The segments are said to differ below this p-value.
ALPHA = 0.05


def _p(value: float) -> float:
    """A p-value for JSON: small ones keep their magnitude (``round`` would make them 0)."""
    return float(f"{value:.4g}")


def independence(table: np.ndarray, *, rows: Sequence[str], columns: Sequence[str], name: str) -> dict[str, Any]:
    """χ² test of independence of a segments × outcomes table of counts (no continuity correction)."""
    table = np.asarray(table, np.float64)
    keep_rows, keep_columns = table.sum(axis=1) > 0, table.sum(axis=0) > 0
    result: dict[str, Any] = {
        "name": name,
        "test": "χ² test of independence",
        "rows": list(rows),
        "columns": list(columns),
        "table": table.astype(int).tolist(),
    }
    if keep_rows.sum() < 2 or keep_columns.sum() < 2:
        return {**result, "skipped": "every shopper in one segment, or every shopper with the same outcome"}
    observed = table[keep_rows][:, keep_columns]
    chi2, p, dof, _ = stats.chi2_contingency(observed, correction=False)
    n = observed.sum()
    cramers_v = np.sqrt(chi2 / (n * (min(observed.shape) - 1)))
    return {
        **result,
        "statistic": round(float(chi2), 4),
        "dof": int(dof),
        "p_value": _p(p),
        "effect": round(float(cramers_v), 4),
        "effect_name": "Cramér's V",
        "differ": bool(p < ALPHA),
    }


def kruskal(samples: Sequence[np.ndarray], *, name: str) -> dict[str, Any]:
    """Kruskal–Wallis H test that a figure has the same distribution in every segment."""
    groups = [np.asarray(s, np.float64) for s in samples if len(s)]
    result: dict[str, Any] = {"name": name, "test": "Kruskal–Wallis H"}
    if len(groups) < 2:
        return {**result, "skipped": "fewer than two segments with shoppers"}
    pooled = np.concatenate(groups)
    if np.all(pooled == pooled[0]):
        return {**result, "skipped": "every shopper has the same value"}
    h, p = stats.kruskal(*groups)
    return {
        **result,
        "statistic": round(float(h), 4),
        "dof": len(groups) - 1,
        "p_value": _p(p),
        "effect": round(float(h) / (len(pooled) - 1), 4),
        "effect_name": "ε²",
        "differ": bool(p < ALPHA),
    }


def _flat(values: np.ndarray) -> bool:
    """No variation beyond rounding (times in days differ in their last bits)."""
    return bool(np.ptp(values) <= 1e-9 * max(1.0, float(np.abs(values).max())))


def pairwise_welch(samples: dict[str, np.ndarray], *, figure: str) -> list[dict[str, Any]]:
    """Welch's t-test of every pair of segments (each with two shoppers or more) on ``figure``,
    Holm-adjusted over the pairs that could be tested (a pair where both have no variation cannot)."""
    from statsmodels.stats.multitest import multipletests

    named = [(key, np.asarray(values, np.float64)) for key, values in samples.items() if len(values) >= 2]
    pairs: list[dict[str, Any]] = []
    p_values: list[float] = []
    for (a, x), (b, y) in itertools.combinations(named, 2):
        if _flat(x) and _flat(y):
            continue
        with warnings.catch_warnings():
            # One segment with no spread is legitimate (its variance term is 0); scipy warns of it.
            warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
            t, p = stats.ttest_ind(x, y, equal_var=False)
        pairs.append(
            {
                "figure": figure,
                "a": a,
                "b": b,
                "mean_a": round(float(x.mean()), 4),
                "mean_b": round(float(y.mean()), 4),
                "t": round(float(t), 4),
                "p_value": _p(p),
            }
        )
        p_values.append(float(p))
    if p_values:
        reject, adjusted, _, _ = multipletests(p_values, alpha=ALPHA, method="holm")
        for pair, p_holm, differ in zip(pairs, adjusted, reject, strict=True):
            pair["p_holm"] = _p(p_holm)
            pair["differ"] = bool(differ)
    return pairs
