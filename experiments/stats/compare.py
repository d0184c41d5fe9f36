"""One metric, treatment against control: proportions, means (with CUPED) and ratios of sums.

Every function returns a ``Comparison`` whose lift intervals are built by ``comparison.build``
(delta method on the log ratio, see there) and whose sequential interval is the confidence
sequence of ``sequential``. The shopper is the unit throughout: a proportion counts shoppers who
did something, a mean averages one figure per shopper, a ratio sums per-shopper numerators and
denominators.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from experiments.stats.comparison import NAN, Comparison, build, check_alpha, empty, normal_quantile
from experiments.stats.sequential import DEFAULT_HORIZON

ArrayLike = Sequence[float] | np.ndarray

NO_SHOPPERS = "an arm has no exposed shoppers"
TOO_FEW = "an arm has fewer than two shoppers: no interval"


def compare_proportions(
    successes_c: int,
    n_c: int,
    successes_t: int,
    n_t: int,
    *,
    alpha: float = 0.05,
    metric: str = "",
    horizon: int = DEFAULT_HORIZON,
) -> Comparison:
    """Share of shoppers who did it, treatment against control.

    p-value: the pooled two-proportion z-test (statsmodels ``proportions_ztest``). Interval on the
    difference: Newcomb's hybrid score interval (``confint_proportions_2indep``, method
    ``newcomb``), which keeps its coverage with few successes. Lift: delta method on the log ratio
    (``comparison``). When both arms are all successes or all failures there is no variation and
    the p-value is 1. ``horizon``: see ``sequential``.
    """
    check_alpha(alpha)
    if not (0 <= successes_c <= n_c and 0 <= successes_t <= n_t):
        raise ValueError("successes must be between 0 and the number of shoppers")
    if n_c == 0 or n_t == 0:
        return empty(
            metric=metric,
            kind="proportion",
            n_c=n_c,
            n_t=n_t,
            alpha=alpha,
            note=NO_SHOPPERS,
            control=successes_c / n_c if n_c else NAN,
            treatment=successes_t / n_t if n_t else NAN,
        )
    p_c, p_t = successes_c / n_c, successes_t / n_t
    pooled = (successes_c + successes_t) / (n_c + n_t)
    if pooled in (0.0, 1.0):
        p_value = 1.0
    else:
        _, p = proportions_ztest([successes_t, successes_c], [n_t, n_c])
        p_value = float(p)
    low, high = confint_proportions_2indep(
        successes_t, n_t, successes_c, n_c, method="newcomb", compare="diff", alpha=alpha
    )
    return build(
        metric=metric,
        kind="proportion",
        n_c=n_c,
        n_t=n_t,
        control=p_c,
        treatment=p_t,
        var_c=p_c * (1.0 - p_c) / n_c,
        var_t=p_t * (1.0 - p_t) / n_t,
        diff_low=float(low),
        diff_high=float(high),
        p_value=p_value,
        alpha=alpha,
        horizon=horizon,
        linear_fallback=False,
    )


def cuped(y: ArrayLike, x: ArrayLike) -> tuple[np.ndarray, float]:
    """CUPED (Deng, Xu, Kohavi, Walker 2013): ``y`` adjusted by the pre-experiment covariate ``x``.

    Returns ``y − theta·(x − mean x)`` and ``theta = cov(y, x) / var(x)``, both over all the values
    given (pass both arms together: theta must not depend on the arm). The adjusted values have the
    same mean as ``y`` and a variance lower by the share ``corr(y, x)²``. A constant ``x`` carries
    no information: theta is 0 and ``y`` comes back unchanged.
    """
    y_arr = np.asarray(y, dtype=np.float64)
    x_arr = np.asarray(x, dtype=np.float64)
    if y_arr.shape != x_arr.shape or y_arr.ndim != 1:
        raise ValueError("y and x must be one-dimensional and of the same length")
    if y_arr.size < 2:
        return y_arr.copy(), 0.0
    var_x = float(np.var(x_arr, ddof=1))
    if var_x == 0.0:
        return y_arr.copy(), 0.0
    theta = float(np.cov(y_arr, x_arr, ddof=1)[0, 1]) / var_x
    return y_arr - theta * (x_arr - x_arr.mean()), theta


def compare_means(
    y_c: ArrayLike,
    y_t: ArrayLike,
    *,
    alpha: float = 0.05,
    pre_c: ArrayLike | None = None,
    pre_t: ArrayLike | None = None,
    metric: str = "",
    horizon: int = DEFAULT_HORIZON,
) -> Comparison:
    """Mean of a per-shopper figure, treatment against control.

    Welch's t-test (``scipy.stats.ttest_ind(equal_var=False)``) and its interval on the difference
    with the Welch–Satterthwaite degrees of freedom; lift by the delta method (``comparison``).

    With ``pre_c`` and ``pre_t`` (each shopper's same figure before the experiment, in the same
    order as ``y_c`` and ``y_t``), CUPED: both arms are adjusted with one theta (``cuped``) and
    the test runs on the adjusted values; ``control`` and ``treatment`` are then the adjusted means
    (unbiased for the arms' means), and ``cuped`` the share of the difference's variance removed.
    When both arms have no variance, the p-value is 1 if their means are equal and 0 otherwise.
    """
    check_alpha(alpha)
    yc = _finite(y_c)
    yt = _finite(y_t)
    reduction: float | None = None
    if (pre_c is None) != (pre_t is None):
        raise ValueError("give the pre-experiment values of both arms or of neither")
    if pre_c is not None and pre_t is not None:
        xc = _finite(pre_c)
        xt = _finite(pre_t)
        if xc.shape != yc.shape or xt.shape != yt.shape:
            raise ValueError("each shopper needs one pre-experiment value")
        adjusted, _ = cuped(np.concatenate([yc, yt]), np.concatenate([xc, xt]))
        raw_var = _var_of_mean(yc) + _var_of_mean(yt)
        yc, yt = adjusted[: yc.size], adjusted[yc.size :]
        adjusted_var = _var_of_mean(yc) + _var_of_mean(yt)
        # Under two shoppers in an arm there is no variance to reduce (and no test either, below).
        reduction = 1.0 - adjusted_var / raw_var if raw_var > 0.0 else 0.0
    n_c, n_t = int(yc.size), int(yt.size)
    mean_c = float(yc.mean()) if n_c else NAN
    mean_t = float(yt.mean()) if n_t else NAN
    if n_c < 2 or n_t < 2:
        note = TOO_FEW if n_c and n_t else NO_SHOPPERS
        return _undefined(metric, "mean", n_c, n_t, alpha, mean_c, mean_t, note)
    var_c, var_t = _var_of_mean(yc), _var_of_mean(yt)
    diff = mean_t - mean_c
    if var_c + var_t == 0.0:
        p_value, low, high = (1.0 if diff == 0.0 else 0.0), diff, diff
    else:
        result = sps.ttest_ind(yt, yc, equal_var=False)
        interval = result.confidence_interval(confidence_level=1.0 - alpha)
        p_value, low, high = float(result.pvalue), float(interval.low), float(interval.high)
    return build(
        metric=metric,
        kind="mean",
        n_c=n_c,
        n_t=n_t,
        control=mean_c,
        treatment=mean_t,
        var_c=var_c,
        var_t=var_t,
        diff_low=low,
        diff_high=high,
        p_value=p_value,
        alpha=alpha,
        horizon=horizon,
        linear_fallback=True,
        cuped=reduction,
    )


def _undefined(
    metric: str, kind: str, n_c: int, n_t: int, alpha: float, control: float, treatment: float, note: str
) -> Comparison:
    """A comparison without intervals: an arm with no shoppers (or no denominator), or too few to
    tell a spread; with one shopper or more in each arm the difference and lift are still given."""
    given = {}
    if note == TOO_FEW:
        given = {"diff": treatment - control, "lift": treatment / control - 1.0 if control > 0 else NAN}
    return empty(
        metric=metric,
        kind=kind,
        n_c=n_c,
        n_t=n_t,
        alpha=alpha,
        note=note,
        control=control,
        treatment=treatment,
        **given,
    )


def _finite(values: ArrayLike) -> np.ndarray:
    """The values as a float array; a missing or infinite value is a bug upstream, not data."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError("expected one value per shopper")
    if not np.isfinite(array).all():
        raise ValueError("values must be finite numbers (a shopper without a value counts as 0, not nan)")
    return array


def _var_of_mean(values: np.ndarray) -> float:
    """The squared standard error of the mean; ``nan`` under two values."""
    if values.size < 2:
        return NAN
    return float(np.var(values, ddof=1)) / values.size


def ratio_of_sums(num: np.ndarray, den: np.ndarray) -> tuple[float, float]:
    """Σnum / Σden and its variance by the delta method, the shopper being the unit.

    With N̄, D̄ the per-shopper means, the ratio is R = N̄ / D̄ and
    Var(R) ≈ Var(N̄)/D̄² − 2·N̄·Cov(N̄, D̄)/D̄³ + N̄²·Var(D̄)/D̄⁴, where Var(N̄) = s²_N / n etc.
    ``nan`` where undefined (no denominator, fewer than two shoppers).
    """
    n = num.size
    if n == 0:
        return NAN, NAN
    n_bar, d_bar = float(num.mean()), float(den.mean())
    if d_bar == 0.0:
        return NAN, NAN
    ratio = n_bar / d_bar
    if n < 2:
        return ratio, NAN
    cov = np.cov(num, den, ddof=1) / n
    var = cov[0, 0] / d_bar**2 - 2.0 * n_bar * cov[0, 1] / d_bar**3 + n_bar**2 * cov[1, 1] / d_bar**4
    return ratio, max(float(var), 0.0)


def compare_ratios(
    num_c: ArrayLike,
    den_c: ArrayLike,
    num_t: ArrayLike,
    den_t: ArrayLike,
    *,
    alpha: float = 0.05,
    metric: str = "",
    horizon: int = DEFAULT_HORIZON,
) -> Comparison:
    """A ratio of sums (e.g. clicks over impressions), treatment against control.

    Each arm's ratio Σnum / Σden has its variance from the delta method over shoppers
    (``ratio_of_sums``), so shoppers with many impressions do not count as many independent units.
    The difference is tested with a normal z-test and its interval is ±z standard errors; lift by
    the delta method on the log ratio (``comparison``).
    """
    check_alpha(alpha)
    nc, dc, nt, dt = (_finite(a) for a in (num_c, den_c, num_t, den_t))
    if nc.shape != dc.shape or nt.shape != dt.shape:
        raise ValueError("each shopper needs one numerator and one denominator")
    n_c, n_t = int(nc.size), int(nt.size)
    r_c, var_c = ratio_of_sums(nc, dc)
    r_t, var_t = ratio_of_sums(nt, dt)
    if n_c == 0 or n_t == 0:
        return _undefined(metric, "ratio", n_c, n_t, alpha, r_c, r_t, NO_SHOPPERS)
    if not (math.isfinite(r_c) and math.isfinite(r_t)):
        return _undefined(metric, "ratio", n_c, n_t, alpha, r_c, r_t, "an arm's denominator sums to zero")
    if n_c < 2 or n_t < 2:
        return _undefined(metric, "ratio", n_c, n_t, alpha, r_c, r_t, TOO_FEW)
    diff = r_t - r_c
    se = math.sqrt(var_c + var_t)
    if se == 0.0:
        p_value, low, high = (1.0 if diff == 0.0 else 0.0), diff, diff
    else:
        z = normal_quantile(alpha)
        p_value = float(2.0 * sps.norm.sf(abs(diff) / se))
        low, high = diff - z * se, diff + z * se
    return build(
        metric=metric,
        kind="ratio",
        n_c=n_c,
        n_t=n_t,
        control=r_c,
        treatment=r_t,
        var_c=var_c,
        var_t=var_t,
        diff_low=low,
        diff_high=high,
        p_value=p_value,
        alpha=alpha,
        horizon=horizon,
        linear_fallback=False,
    )
