"""The results over time, read from the stored snapshots: what the charts of the results page draw."""

from __future__ import annotations

from typing import Any

from experiments.metrics import METRICS
from experiments.models import Experiment, ResultSnapshot

# Each lift series and the report's field it is read from.
SERIES = {"lift": "lift", "low": "lift_low", "high": "lift_high", "seq_low": "seq_low", "seq_high": "seq_high"}
# Snapshots read for the charts: the newest ones, enough for months of the schedule's recomputations.
MAX_POINTS = 500


def timeline(experiment: Experiment) -> dict[str, Any]:
    """At each snapshot (oldest first): exposed shoppers per variant, and per treatment the primary
    metric's cumulative lift with its fixed-horizon and sequential intervals (``None`` where
    undefined). One query.

    ``{"times": [iso…], "metric": name, "label": its short label, "exposures": {variant: [n…]},
    "lift": {variant: {"lift": […], "low": […], "high": […], "seq_low": […], "seq_high": […]}}}``
    """
    reports = list(
        ResultSnapshot.objects.filter(experiment=experiment)
        .order_by("-computed_at")
        .values_list("computed_at", "report")[:MAX_POINTS]
    )[::-1]
    metric = experiment.primary_metric
    times = [at.isoformat() for at, _ in reports]
    exposures: dict[str, list[int | None]] = {}
    lift: dict[str, dict[str, list[float | None]]] = {}
    for index, (_, report) in enumerate(reports):
        for row in report.get("variants", []):
            exposures.setdefault(row["name"], [None] * len(reports))[index] = row["exposed"]
        for read in report.get("comparisons", []):
            primary = next((m for m in read["metrics"] if m["metric"] == metric), None)
            if primary is None:
                continue
            series = lift.setdefault(read["variant"], {key: [None] * len(reports) for key in SERIES})
            for key, field in SERIES.items():
                series[key][index] = primary[field]
    label = METRICS[metric].label.partition(" (")[0] if metric in METRICS else metric
    return {"times": times, "metric": metric, "label": label, "exposures": exposures, "lift": lift}
