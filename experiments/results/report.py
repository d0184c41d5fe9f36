"""``compute``: an experiment's results as one JSON-ready dict; ``record``: stored as a snapshot.

What the report holds (``docs/experiments/results.md`` explains each for marketers):

- ``variants``: each variant's exposed shoppers and the share its weight (or, in a staged
  rollout, the current step) calls for;
- ``srm``: the sample-ratio check (χ², flagged at p < 0.001) of those counts against the weights.
  In a rollout only the shoppers first exposed during the current step are compared (earlier
  steps had other shares); once a variant has been stopped, only those exposed before the first
  stop (afterwards its shoppers are served the control). ``None`` for an interleaving (there is
  no split to check);
- ``comparisons``: for each treatment, each metric read (primary, secondary, guardrails, once
  each) against the control: value per arm, lift with its fixed-horizon and sequential
  intervals, p-value, Holm-adjusted p-value across the metrics read, CUPED's variance reduction
  on the mean metrics, and a ``verdict`` (``VERDICTS``). A treatment stopped early is read as it
  stood when it stopped: both arms up to its ``stopped_at``;
- ``guardrails``: one entry per treatment and guardrail metric, ``breached`` when the
  sequential interval of the lift lies wholly on the bad side of zero (``Metric.higher_is_better``)
  with ``min_sample`` shoppers in each arm; the schedule stops a breached variant;
- ``interleaving``: for ``kind="interleave"``, the shoppers' preference between the control's
  ranker (A) and the other (B) instead of comparisons.

Peeking protection: a verdict is given only once every variant compared has ``min_sample``
exposed shoppers and the experiment has run ``min_days``; before that the verdict is "too early"
(the figures are still there, for the curious). Guardrails, which are watched continuously, are
judged on the sequential interval, which stays valid however often it is read.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from experiments import stats
from experiments.metrics import METRICS, Metric, VariantData, shopper_metrics
from experiments.models import Experiment, Exposure, ResultSnapshot, Variant
from experiments.results.interleaving import interleaving_credit, interleaving_label

TOO_EARLY = "too early"
BETTER = "better"
WORSE = "worse"
NO_DIFFERENCE = "no significant difference"
UNDEFINED = "not measurable"
VERDICTS = (TOO_EARLY, BETTER, WORSE, NO_DIFFERENCE, UNDEFINED)
SECONDS_PER_DAY = 86_400
# A snapshot this recent is shown as it is: on a big experiment a computation takes seconds.
FRESH = timedelta(minutes=15)


def _end(experiment: Experiment, now: datetime) -> datetime:
    """Where the results stop counting: the stop, or ``now`` (whichever is earlier)."""
    if experiment.stopped_at is not None and experiment.stopped_at < now:
        return experiment.stopped_at
    return now


def metrics_read(experiment: Experiment) -> list[tuple[str, Metric]]:
    """(role, metric) of each metric the experiment reads, once each, the primary first; names
    outside the catalogue are skipped (the experiment form refuses them)."""
    read: dict[str, tuple[str, Metric]] = {}
    for role, names in (
        ("primary", [experiment.primary_metric]),
        ("secondary", experiment.secondary_metrics or []),
        ("guardrail", experiment.guardrail_metrics or []),
    ):
        for name in names:
            if name in METRICS and name not in read:
                read[name] = (role, METRICS[name])
    return list(read.values())


def control_of(variants: list[Variant]) -> Variant | None:
    """The variant the others are compared with: the one marked control, else the first made."""
    return next((v for v in variants if v.is_control), variants[0] if variants else None)


def _horizon(experiment: Experiment) -> int:
    """Shoppers (both arms) at which the sequential interval is tightest: where a verdict may
    first be given."""
    return max(2 * experiment.min_sample, 2)


def _compare(metric: Metric, control: VariantData, treatment: VariantData, *, alpha: float, horizon: int) -> Any:
    y_c, den_c = control.values(metric)
    y_t, den_t = treatment.values(metric)
    if metric.kind == "proportion":
        return stats.compare_proportions(
            int(y_c.sum()), control.n, int(y_t.sum()), treatment.n, alpha=alpha, metric=metric.name, horizon=horizon
        )
    if metric.kind == "ratio":
        assert den_c is not None
        assert den_t is not None
        return stats.compare_ratios(y_c, den_c, y_t, den_t, alpha=alpha, metric=metric.name, horizon=horizon)
    pre_c, _ = control.values(metric, pre=True)
    pre_t, _ = treatment.values(metric, pre=True)
    return stats.compare_means(y_c, y_t, alpha=alpha, pre_c=pre_c, pre_t=pre_t, metric=metric.name, horizon=horizon)


def _verdict(comparison: Any, metric: Metric, *, ready: bool, alpha: float) -> str:
    if not ready:
        return TOO_EARLY
    p = comparison.p_adjusted
    if p is None or not math.isfinite(p) or not math.isfinite(comparison.diff):
        return UNDEFINED
    if p >= alpha or comparison.diff == 0:
        return NO_DIFFERENCE
    return BETTER if (comparison.diff > 0) == metric.higher_is_better else WORSE


def _breached(comparison: Any, metric: Metric) -> bool:
    low, high = comparison.seq_low, comparison.seq_high
    if not (math.isfinite(low) and math.isfinite(high)):
        return False
    return high < 0 if metric.higher_is_better else low > 0


def _read_variant(
    experiment: Experiment,
    control: VariantData,
    treatment: VariantData,
    *,
    end: datetime,
    days: float,
) -> dict[str, Any]:
    """One treatment against the control on every metric read, with verdicts."""
    horizon = _horizon(experiment)
    read = metrics_read(experiment)
    compared = stats.adjust(
        [_compare(metric, control, treatment, alpha=experiment.alpha, horizon=horizon) for _, metric in read]
    )
    big_enough = min(control.n, treatment.n) >= experiment.min_sample
    ready = big_enough and days >= experiment.min_days
    rows = []
    for (role, metric), comparison in zip(read, compared, strict=True):
        row = stats.as_json(comparison)
        row |= {
            "role": role,
            "label": metric.label,
            "unit": metric.unit,
            "higher_is_better": metric.higher_is_better,
            "verdict": _verdict(comparison, metric, ready=ready, alpha=experiment.alpha),
            "breached": role == "guardrail" and big_enough and _breached(comparison, metric),
        }
        rows.append(row)
    return {
        "variant": treatment.variant.name,
        "control": control.variant.name,
        "until": end.isoformat(),
        "stopped": treatment.variant.stopped_at is not None,
        "ready": ready,
        "metrics": rows,
    }


def _expected_shares(experiment: Experiment, variants: list[Variant]) -> list[float]:
    """Each variant's share of the exposed shoppers by design: weights, or the rollout step."""
    if experiment.kind == Experiment.Kind.ROLLOUT:
        steps = experiment.rollout_steps or [1.0]
        share = float(steps[min(experiment.rollout_step, len(steps) - 1)])
        control = control_of(variants)
        weight = sum(v.weight for v in variants if v is not control) or 1
        return [(1.0 - share) if v is control else share * v.weight / weight for v in variants]
    total = sum(v.weight for v in variants) or 1
    return [v.weight / total for v in variants]


def _sample_ratio(experiment: Experiment, variants: list[Variant], end: datetime) -> dict[str, Any] | None:
    if experiment.kind == Experiment.Kind.INTERLEAVE:
        return None
    exposures = Exposure.objects.filter(experiment=experiment, first_at__lt=end)
    step = None
    if experiment.kind == Experiment.Kind.ROLLOUT:
        step = experiment.rollout_step
        exposures = exposures.filter(rollout_step=step)
    stops = [v.stopped_at for v in variants if v.stopped_at is not None]
    if stops:
        exposures = exposures.filter(first_at__lt=min(stops))
    counts = dict(_count_by_variant(exposures))
    shares = _expected_shares(experiment, variants)
    check = stats.sample_ratio([counts.get(v.pk, 0) for v in variants], shares)
    return stats.as_json(check) | {"variants": [v.name for v in variants], "rollout_step": step}


def _count_by_variant(exposures: QuerySet[Exposure]) -> list[tuple[int, int]]:
    return list(exposures.order_by().values("variant").annotate(n=Count("id")).values_list("variant", "n"))


def _preference(experiment: Experiment, variants: list[Variant], end: datetime) -> dict[str, Any]:
    credit = interleaving_credit(experiment, end=end)
    control = control_of(variants)
    other = next((v for v in variants if v is not control), None)
    preference = stats.preference(credit.wins_a, credit.wins_b, credit.ties, alpha=experiment.alpha)
    return stats.as_json(preference) | {
        "label": interleaving_label(experiment),
        "team_a": control.name if control else "",
        "team_b": other.name if other else "",
        "no_credit": credit.no_credit,
        "pages": credit.pages,
        "shoppers": credit.shoppers,
    }


def compute(experiment: Experiment, *, now: datetime | None = None) -> dict[str, Any]:
    """The experiment's results as of ``now`` (default: now), JSON-ready; see the module's doc.

    Reads only: four queries per horizon (one, plus one per treatment stopped before the end)
    for the metrics, two for the exposures and the sample-ratio check, and for an interleaving
    the pages and their events.
    """
    now = now or timezone.now()
    end = _end(experiment, now)
    variants = list(experiment.variants.order_by("id"))
    control = control_of(variants)
    started = experiment.started_at
    days = max((end - started).total_seconds() / SECONDS_PER_DAY, 0.0) if started else 0.0
    report: dict[str, Any] = {
        "experiment": experiment.name,
        "kind": experiment.kind,
        "status": experiment.status,
        "hypothesis": experiment.hypothesis,
        "computed_at": now.isoformat(),
        "started_at": started.isoformat() if started else None,
        "stopped_at": experiment.stopped_at.isoformat() if experiment.stopped_at else None,
        "stop_reason": experiment.stop_reason,
        "until": end.isoformat(),
        "days": round(days, 3),
        "alpha": experiment.alpha,
        "min_sample": experiment.min_sample,
        "min_days": experiment.min_days,
        "primary_metric": experiment.primary_metric,
        "control": control.name if control else None,
        "variants": [],
        "srm": None,
        "comparisons": [],
        "guardrails": [],
        "interleaving": None,
    }
    if started is None or end <= started:
        report["variants"] = [
            _variant_row(v, 0, share) for v, share in zip(variants, _expected_shares(experiment, variants), strict=True)
        ]
        return report
    data = shopper_metrics(experiment, end=end)
    shares = _expected_shares(experiment, variants)
    report["variants"] = [_variant_row(v, data[v.pk].n, share) for v, share in zip(variants, shares, strict=True)]
    report["srm"] = _sample_ratio(experiment, variants, end)
    if experiment.kind == Experiment.Kind.INTERLEAVE:
        report["interleaving"] = _preference(experiment, variants, end)
        return report
    if control is None:
        return report
    horizons = {end: data}
    for variant in variants:
        if variant is control:
            continue
        until = variant.stopped_at if variant.stopped_at is not None and variant.stopped_at < end else end
        if until not in horizons:
            horizons[until] = shopper_metrics(experiment, end=until)
        at = horizons[until]
        elapsed = max((until - started).total_seconds() / SECONDS_PER_DAY, 0.0)
        read = _read_variant(experiment, at[control.pk], at[variant.pk], end=until, days=elapsed)
        report["comparisons"].append(read)
        for row in read["metrics"]:
            if row["role"] == "guardrail":
                report["guardrails"].append(
                    {
                        "variant": variant.name,
                        "metric": row["metric"],
                        "breached": row["breached"],
                        "lift": row["lift"],
                        "seq_low": row["seq_low"],
                        "seq_high": row["seq_high"],
                        "stopped": read["stopped"],
                    }
                )
    return report


def _variant_row(variant: Variant, exposed: int, share: float) -> dict[str, Any]:
    return {
        "id": variant.pk,
        "name": variant.name,
        "is_control": variant.is_control,
        "weight": variant.weight,
        "expected_share": share,
        "exposed": exposed,
        "stopped_at": variant.stopped_at.isoformat() if variant.stopped_at else None,
        "stop_reason": variant.stop_reason,
    }


def current(experiment: Experiment, *, now: datetime | None = None, max_age: timedelta = FRESH) -> dict[str, Any]:
    """What the results page and ``experiment_report`` show: the latest snapshot when it is final
    (taken at or after the stop) or at most ``max_age`` old, else ``compute`` now (not stored:
    the snapshots are the schedule's). ``computed_at`` in the report says which moment it is."""
    now = now or timezone.now()
    latest = ResultSnapshot.objects.filter(experiment=experiment).order_by("-computed_at").first()
    if latest is not None:
        final = experiment.stopped_at is not None and latest.computed_at >= experiment.stopped_at
        if final or now - latest.computed_at <= max_age:
            return dict(latest.report)
    return compute(experiment, now=now)


def record(experiment: Experiment, *, now: datetime | None = None) -> ResultSnapshot:
    """``compute`` stored as a ``ResultSnapshot`` taken at ``now``; safe to run twice (each call
    adds one snapshot of the moment)."""
    now = now or timezone.now()
    return ResultSnapshot.objects.create(experiment=experiment, computed_at=now, report=compute(experiment, now=now))
