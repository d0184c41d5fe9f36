"""The record of one metric compared between a treatment and the control, and its JSON form.

Lift intervals (fixed-horizon and sequential) are built here for every kind of metric by the delta
method on the log of the ratio treatment / control: Var(log T/C) ≈ Var(T)/T² + Var(C)/C², so the
interval is exp(log(T/C) ± z·se) − 1. It stays above −100 % and is asymmetric, as a ratio's is.
When the control is positive but the treatment is not (a mean that can be zero or negative), the
delta method on the ratio itself is used instead: Var(T/C) ≈ Var(T)/C² + T²·Var(C)/C⁴. With a
control of zero or less the lift is undefined and every lift field is ``nan``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from scipy import stats as sps

from experiments.stats.sequential import sequence_multiplier

NAN = math.nan


@dataclass(frozen=True)
class Comparison:
    """One metric, one treatment variant against the control.

    Float fields are ``nan`` where the quantity is undefined (an arm without shoppers, a control of
    zero for the lift, fewer than two shoppers for an interval); ``note`` says why. ``nan`` is not
    JSON: serialise with ``as_json``, which turns it into ``None``.
    """

    metric: str
    kind: str  # "proportion" | "mean" | "ratio"
    n_control: int
    n_treatment: int
    control: float  # the metric's value in each arm (share, mean, or ratio of sums)
    treatment: float
    diff: float  # treatment - control, and its (1 - alpha) interval
    diff_low: float
    diff_high: float
    lift: float  # treatment / control - 1, and its (1 - alpha) interval
    lift_low: float
    lift_high: float
    p_value: float  # two-sided
    seq_low: float  # always-valid (sequential-safe) interval on the lift: valid
    seq_high: float  # however often the results are looked at
    p_adjusted: float | None = None  # after the correction across metrics (adjust)
    cuped: float | None = None  # share of variance removed by CUPED; None when not used
    alpha: float = 0.05
    note: str = ""  # why a figure is undefined, empty when all are defined


def as_json(record: Any) -> dict[str, Any]:
    """A result record (``Comparison``, ``SampleRatio``, ``Preference``) as a JSON-ready dict:
    non-finite floats (``nan``, ``inf``) become ``None``, numpy numbers become Python ones."""
    return _clean(dataclasses.asdict(record))


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha}")


def normal_quantile(alpha: float) -> float:
    """The two-sided (1 - alpha) normal quantile, 1.96 for alpha = 0.05."""
    return float(sps.norm.ppf(1.0 - alpha / 2.0))


def empty(*, metric: str, kind: str, n_c: int, n_t: int, alpha: float, note: str, **known: float) -> Comparison:
    """A comparison with nothing to compare: every figure ``nan`` except those given."""
    figures: dict[str, float] = dict.fromkeys(
        (
            "control",
            "treatment",
            "diff",
            "diff_low",
            "diff_high",
            "lift",
            "lift_low",
            "lift_high",
            "p_value",
            "seq_low",
            "seq_high",
        ),
        NAN,
    )
    figures.update(known)
    return Comparison(metric=metric, kind=kind, n_control=n_c, n_treatment=n_t, alpha=alpha, note=note, **figures)


def build(
    *,
    metric: str,
    kind: str,
    n_c: int,
    n_t: int,
    control: float,
    treatment: float,
    var_c: float,
    var_t: float,
    diff_low: float,
    diff_high: float,
    p_value: float,
    alpha: float,
    horizon: int,
    linear_fallback: bool,
    cuped: float | None = None,
    note: str = "",
) -> Comparison:
    """A comparison from each arm's estimate and its variance (the squared standard error).

    ``linear_fallback``: whether a non-positive treatment may use the delta method on the ratio
    itself (means); otherwise the lift interval is left undefined there (a proportion or ratio of
    zero has a plug-in variance of zero, which would give an interval of width zero).
    """
    lift = lift_low = lift_high = seq_low = seq_high = NAN
    z = normal_quantile(alpha)
    k = sequence_multiplier(n_c + n_t, alpha=alpha, horizon=horizon)
    if not (math.isfinite(control) and math.isfinite(treatment)):
        pass
    elif control <= 0.0:
        note = note or "the control is zero or less: the lift is undefined"
    elif treatment > 0.0:
        ratio = treatment / control
        lift = ratio - 1.0
        se = math.sqrt(var_t / treatment**2 + var_c / control**2)
        lift_low, lift_high = ratio * math.exp(-z * se) - 1.0, ratio * math.exp(z * se) - 1.0
        seq_low, seq_high = ratio * math.exp(-k * se) - 1.0, ratio * math.exp(k * se) - 1.0
    else:
        ratio = treatment / control
        lift = ratio - 1.0
        if linear_fallback:
            se = math.sqrt(var_t / control**2 + treatment**2 * var_c / control**4)
            lift_low, lift_high = lift - z * se, lift + z * se
            seq_low, seq_high = lift - k * se, lift + k * se
        else:
            note = note or "the treatment is zero: the lift is -100 % and has no interval"
    return Comparison(
        metric=metric,
        kind=kind,
        n_control=n_c,
        n_treatment=n_t,
        control=control,
        treatment=treatment,
        diff=treatment - control,
        diff_low=diff_low,
        diff_high=diff_high,
        lift=lift,
        lift_low=lift_low,
        lift_high=lift_high,
        p_value=p_value,
        seq_low=seq_low,
        seq_high=seq_high,
        cuped=cuped,
        alpha=alpha,
        note=note,
    )
