"""The schedule's work on running experiments: results recorded, guardrails enforced, rollouts ramped.

every EXPERIMENTS_CHECK_MINUTES (beat) → for each running experiment:
    results computed and kept as a snapshot (``experiments.results.record``)
    → a guardrail breached (its always-valid interval wholly on the bad side) stops that variant
    → a rollout whose guardrails hold moves to its next step once the step has been held its hours
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from experiments import results
from experiments.models import Experiment
from experiments.services import rollout_advance, variant_stop

logger = logging.getLogger(__name__)


@dataclass
class Checked:
    experiment: str
    stopped: list[str] = field(default_factory=list)  # variants a guardrail stopped
    rollout: str = ""  # "held", "advanced", "shipped" or "" (not a rollout, or stopped)


def _why(breach: dict) -> str:
    def pct(value: float | None) -> str:
        return "?" if value is None else f"{value:+.1%}"

    return (
        f"guardrail {breach['metric']} moved the wrong way: lift {pct(breach.get('lift'))}, "
        f"always-valid interval {pct(breach.get('seq_low'))} to {pct(breach.get('seq_high'))}"
    )


def experiment_check(*, experiment: Experiment, now: datetime | None = None) -> Checked:
    """Record ``experiment``'s results now and act on them: a variant with a breached guardrail
    is stopped (its shoppers go back to the defaults) with the reason; a rollout without breach
    ramps on its schedule (``services.rollout_advance``)."""
    now = now or timezone.now()
    snapshot = results.record(experiment, now=now)
    checked = Checked(experiment.name)
    variants = {v.name: v for v in experiment.variants.all()}
    for breach in snapshot.report.get("guardrails", []):
        variant = variants.get(breach["variant"])
        if not breach["breached"] or variant is None or variant.stopped_at is not None or variant.is_control:
            continue
        reason = _why(breach)
        variant_stop(variant=variant, reason=reason)
        variant.stopped_at = now
        checked.stopped.append(variant.name)
        logger.warning("experiment %s: variant %s stopped: %s", experiment.name, variant.name, reason)
    experiment.refresh_from_db(fields=["status"])
    if experiment.kind == Experiment.Kind.ROLLOUT and experiment.status == Experiment.Status.RUNNING:
        checked.rollout = rollout_advance(experiment=experiment, now=now)
    return checked


def experiments_check(*, now: datetime | None = None) -> list[Checked]:
    """``experiment_check`` for every running experiment; one failing does not stop the others."""
    done = []
    for experiment in Experiment.objects.filter(status=Experiment.Status.RUNNING).order_by("pk"):
        try:
            done.append(experiment_check(experiment=experiment, now=now))
        except Exception:
            logger.exception("experiment %s: results could not be checked", experiment.name)
    return done
