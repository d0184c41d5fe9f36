"""Interleaving: which of two rankers shoppers prefer, from the credit each comparison gave."""

from __future__ import annotations

from dataclasses import dataclass

from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from experiments.stats.comparison import NAN, check_alpha


@dataclass(frozen=True)
class Preference:
    """Share of decided comparisons (one ranker credited more than the other) won by ranker A."""

    wins_a: int
    wins_b: int
    ties: int
    share_a: float  # wins_a / (wins_a + wins_b); nan when none was decided
    low: float  # Wilson (1 - alpha) interval on share_a
    high: float
    p_value: float  # two-sided exact binomial test of share_a = 0.5
    alpha: float = 0.05


def preference(wins_a: int, wins_b: int, ties: int, *, alpha: float = 0.05) -> Preference:
    """The preference for ranker A over B (Chapelle, Joachims, Radlinski, Yue 2012).

    Ties carry no preference and are reported, not counted. The interval is Wilson's score
    interval (``proportion_confint(method="wilson")``), the p-value ``scipy.stats.binomtest``
    against one half. With nothing decided, share, interval and p-value are ``nan``.
    """
    check_alpha(alpha)
    if min(wins_a, wins_b, ties) < 0:
        raise ValueError("counts must be non-negative")
    decided = wins_a + wins_b
    if decided == 0:
        return Preference(wins_a, wins_b, ties, share_a=NAN, low=NAN, high=NAN, p_value=NAN, alpha=alpha)
    low, high = proportion_confint(wins_a, decided, alpha=alpha, method="wilson")
    return Preference(
        wins_a,
        wins_b,
        ties,
        share_a=wins_a / decided,
        low=float(low),
        high=float(high),
        p_value=float(sps.binomtest(wins_a, decided, 0.5).pvalue),
        alpha=alpha,
    )
