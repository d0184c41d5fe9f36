"""Reads of the experiments domain for serving: the running experiments' treatments."""

from __future__ import annotations

import functools

from experiments.assignment import running_plan, treatment_of
from ranking.treatment import Assign


def treatment_assignment(**_: object) -> Assign | None:
    """``ranking.signals.treatment_assignment``: with experiments running, each shopper's
    treatment (``experiments.assignment``); ``None`` when none runs. Three queries."""
    plan = running_plan()
    return functools.partial(treatment_of, plan) if plan.experiments else None
