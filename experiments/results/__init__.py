"""An experiment's results: what the results page, ``experiment_report`` and the schedule read.

Public:

- ``compute(experiment, *, now=None) -> dict``: the report, JSON-ready (``report``): exposures and
  the sample-ratio check, each treatment against the control on the primary, secondary and
  guardrail metrics, the verdicts, the guardrails' status; for an interleaving, the preference.
- ``current(experiment, *, now=None) -> dict``: what the page and the command show: the latest
  snapshot when final or recent, else ``compute``.
- ``record(experiment, *, now=None) -> ResultSnapshot``: ``compute`` stored; the series of
  snapshots is the results over time (``timeline``).
- ``timeline(experiment) -> dict``: exposures and the primary metric's cumulative lift at each
  snapshot, for the charts.
- ``interleaving_credit(experiment, *, end)``: the shoppers' preferences between the two rankers
  of an interleaving (``interleaving``).
"""

from experiments.results.interleaving import CART_CREDIT, CLICK_CREDIT, Credit, interleaving_credit
from experiments.results.report import FRESH, compute, current, record
from experiments.results.series import timeline

__all__ = [
    "CART_CREDIT",
    "CLICK_CREDIT",
    "FRESH",
    "Credit",
    "compute",
    "current",
    "interleaving_credit",
    "record",
    "timeline",
]
