"""Always-valid intervals: a confidence sequence that may be read at every recomputation.

A fixed-horizon interval covers the truth with probability 1 − alpha at *one* look chosen in
advance; read at every recomputation and acted on the first time it excludes zero, its error rate
grows with the number of looks. A confidence sequence covers the truth at *all* looks at once with
probability at least 1 − alpha, so it can be watched continuously.

This is the asymptotic normal-mixture confidence sequence (Robbins' normal mixture, made
asymptotic by Waudby-Smith, Ramdas et al., "Time-uniform central limit theory and asymptotic
confidence sequences", 2021/2024). For an estimate that is, asymptotically, an average of ``n``
independent contributions with standard error ``se``, the interval at every ``n`` is

    estimate ± se · sqrt( (n a + 1) / (n a) · (2 log(1/alpha) + log(n a + 1)) )

where ``a`` (the mixture's precision, the Robbins ρ² times the unit variance) is the tuning
parameter. It does not affect validity, only where the sequence is tightest; it is set from a
``horizon`` (the number of shoppers, all arms together, at which the sequence should be tightest):

    a = (2 log(1/alpha) + log(2 log(1/alpha) + 1)) / horizon

The multiplier replaces the normal quantile ``z`` (1.96 at alpha = 0.05): it is about 3 at the
horizon, larger before it and slowly growing after it.
"""

from __future__ import annotations

import math

# Shoppers, all arms together, at which the sequence is tightest unless the caller says otherwise.
DEFAULT_HORIZON = 10_000


def mixture_precision(*, alpha: float, horizon: int) -> float:
    """The tuning parameter ``a`` that makes the sequence tightest at ``horizon`` observations."""
    if horizon < 1:
        raise ValueError("horizon must be at least one observation")
    two_log = 2.0 * math.log(1.0 / alpha)
    return (two_log + math.log(two_log + 1.0)) / horizon


def sequence_multiplier(n: int, *, alpha: float, horizon: int = DEFAULT_HORIZON) -> float:
    """How many standard errors the confidence sequence spans on each side after ``n`` observations.

    ``nan`` for ``n < 1`` (nothing observed: no interval).
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha must be between 0 and 1")
    if n < 1:
        return math.nan
    na = n * mixture_precision(alpha=alpha, horizon=horizon)
    return math.sqrt((na + 1.0) / na * (2.0 * math.log(1.0 / alpha) + math.log(na + 1.0)))
