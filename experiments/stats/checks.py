"""Checks on a whole experiment: sample-ratio mismatch, and the correction across metrics."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from experiments.stats.comparison import NAN, Comparison

# A p-value this small says the split is broken, not unlucky: results are not read until it is explained.
SRM_THRESHOLD = 0.001

# Names accepted by ``adjust`` → statsmodels' names.
METHODS = {"holm": "holm", "bh": "fdr_bh", "fdr_bh": "fdr_bh", "bonferroni": "bonferroni"}


@dataclass(frozen=True)
class SampleRatio:
    """χ² goodness of fit of the exposed shoppers per variant against the configured weights."""

    chi2: float
    p_value: float
    expected: list[float]  # shoppers per variant the weights call for, same order as the counts
    flagged: bool  # p_value < threshold: the assignment or the exposure logging is broken
    observed: list[int] = dataclasses.field(default_factory=list)
    threshold: float = SRM_THRESHOLD


def sample_ratio(counts: Sequence[int], weights: Sequence[float], *, threshold: float = SRM_THRESHOLD) -> SampleRatio:
    """Sample-ratio mismatch: are the exposure counts what the weights call for?

    ``scipy.stats.chisquare`` of ``counts`` against ``total · weight / Σweights``. A variant of
    weight 0 is left out of the test unless it has shoppers, which is a mismatch in itself
    (χ² infinite, p 0). With no shoppers at all, or a single weighted variant, there is nothing to
    test: χ² 0 and p 1.
    """
    observed = [int(c) for c in counts]
    shares = np.asarray(weights, dtype=np.float64)
    if len(observed) != shares.size:
        raise ValueError("one weight per count")
    if any(c < 0 for c in observed) or (shares < 0).any() or shares.sum() <= 0:
        raise ValueError("counts and weights must be non-negative, with some weight")
    total = sum(observed)
    expected = [float(e) for e in total * shares / shares.sum()]
    weighted = shares > 0
    if any(c > 0 for c, w in zip(observed, weighted, strict=True) if not w):
        return SampleRatio(
            chi2=math.inf, p_value=0.0, expected=expected, flagged=True, observed=observed, threshold=threshold
        )
    if total == 0 or weighted.sum() < 2:
        return SampleRatio(
            chi2=0.0, p_value=1.0, expected=expected, flagged=False, observed=observed, threshold=threshold
        )
    obs = np.asarray(observed, dtype=np.float64)[weighted]
    exp = np.asarray(expected)[weighted]
    result = sps.chisquare(obs, exp)
    p_value = float(result.pvalue)
    return SampleRatio(
        chi2=float(result.statistic),
        p_value=p_value,
        expected=expected,
        flagged=p_value < threshold,
        observed=observed,
        threshold=threshold,
    )


def adjust(comparisons: list[Comparison], *, method: str = "holm") -> list[Comparison]:
    """The comparisons, in the same order, with ``p_adjusted`` filled in for the family they form.

    ``method``: ``holm`` (controls the chance of any false positive, the default) or ``bh``
    (Benjamini–Hochberg, controls the expected share of false positives among the positives), or
    ``bonferroni``; through ``statsmodels.stats.multitest.multipletests``. A comparison without a
    p-value (``nan``: no data) is not part of the family and gets ``nan``.
    """
    if method not in METHODS:
        raise ValueError(f"unknown correction {method!r}: one of {', '.join(METHODS)}")
    tested = [i for i, c in enumerate(comparisons) if math.isfinite(c.p_value)]
    adjusted = [NAN] * len(comparisons)
    if tested:
        _, corrected, _, _ = multipletests([comparisons[i].p_value for i in tested], method=METHODS[method])
        for i, p in zip(tested, corrected, strict=True):
            adjusted[i] = float(p)
    return [dataclasses.replace(c, p_adjusted=p) for c, p in zip(comparisons, adjusted, strict=True)]
