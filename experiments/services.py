"""Every write to an experiment's lifecycle: start, stop, a variant stopped, a rollout step.

A running experiment's salt, layer range, variants and weights are frozen (changing them would
move shoppers between variants); what may change while it runs is a rollout's step and a
variant's stop, both through these services, both reaching every process within
``ranking.treatment.ASSIGNMENT_CACHE_SECONDS``.
"""

from __future__ import annotations

import itertools
import math
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from experiments.assignment import free_range
from experiments.exposure import clear_cache as exposure_cache_clear
from experiments.metrics import METRICS
from experiments.models import BUCKETS, Experiment, Layer, Variant
from feedsite.errors import ApplicationError
from ranking.models import RankerModel
from ranking.policy import mix_policy_make_default
from ranking.registry import ranker_activate, ranker_servable
from ranking.treatment import SOURCES, SWITCHES
from ranking.treatment import clear_cache as treatment_cache_clear

# An experiment compares: a single variant would be a rollout, which is what the default policy is for.
MIN_VARIANTS = 2


def _caches_clear() -> None:
    treatment_cache_clear()
    exposure_cache_clear()


def _overrides(variant: Variant) -> list[str]:
    names = [("policy", variant.policy_id), ("ranker", variant.ranker_id)]
    names += [("source weights", variant.source_weights), ("switches", variant.switches_off)]
    return [name for name, value in names if value]


def variant_problems(variant: Variant) -> list[str]:
    """What is wrong with one variant's overrides, each a sentence for the marketer."""
    problems = []
    weights = variant.source_weights
    if not isinstance(weights, dict):
        problems.append(f"{variant.name}: source weights must be an object of source → weight.")
    else:
        for source, weight in weights.items():
            if source not in SOURCES:
                problems.append(
                    f"{variant.name}: unknown candidate source {source!r} (known: {', '.join(sorted(SOURCES))})."
                )
            if (
                not isinstance(weight, int | float)
                or isinstance(weight, bool)
                or not math.isfinite(weight)
                or weight < 0
            ):
                problems.append(f"{variant.name}: the weight of {source!r} must be a number ≥ 0.")
    switches = variant.switches_off
    if not isinstance(switches, list) or not all(isinstance(s, str) for s in switches):
        problems.append(f"{variant.name}: switches must be a list of names.")
    else:
        problems += [
            f"{variant.name}: unknown switch {s!r} (known: {', '.join(SWITCHES)})."
            for s in switches
            if s not in SWITCHES
        ]
    if variant.ranker is not None and not ranker_servable(variant.ranker):
        problems.append(
            f"{variant.name}: ranker {variant.ranker.version} cannot be served "
            "(no artifact, or trained on other features)."
        )
    return problems


def experiment_problems(experiment: Experiment) -> list[str]:
    """Why ``experiment`` may not start yet; empty when it may. Shown in admin before the start."""
    problems = []
    variants = list(experiment.variants.select_related("ranker", "policy"))
    controls = [v for v in variants if v.is_control]
    if len(controls) != 1:
        problems.append("Mark exactly one variant as the control.")
    if experiment.kind == Experiment.Kind.AB and sum(v.weight > 0 for v in variants) < MIN_VARIANTS:
        problems.append(f"An A/B test needs at least {MIN_VARIANTS} variants with a weight above 0.")
    if experiment.kind in (Experiment.Kind.ROLLOUT, Experiment.Kind.INTERLEAVE) and len(variants) != 2:
        kind = experiment.get_kind_display().split(" (")[0].lower()
        problems.append(f"A {kind} has exactly 2 variants: a control and a treatment.")
    if experiment.kind == Experiment.Kind.ROLLOUT:
        steps = experiment.rollout_steps
        if (
            not isinstance(steps, list)
            or not steps
            or not all(isinstance(s, int | float) and 0 < s <= 1 for s in steps)
            or any(a >= b for a, b in itertools.pairwise(steps))
            or steps[-1] != 1
        ):
            problems.append("Rollout steps must be increasing shares in (0, 1] ending at 1, e.g. [0.01, 0.1, 0.5, 1].")
        for v in variants:
            extra = [o for o in _overrides(v) if o not in ("policy", "ranker")]
            if not v.is_control and extra:
                problems.append(
                    f"{v.name}: a rollout ships a ranker or a mix policy; {', '.join(extra)} cannot be shipped."
                )
            if not v.is_control and not (v.policy_id or v.ranker_id):
                problems.append(f"{v.name}: a rollout's treatment must change the ranker or the mix policy.")
    if experiment.kind == Experiment.Kind.INTERLEAVE:
        for v in variants:
            extra = [o for o in _overrides(v) if o != "ranker"]
            if extra:
                problems.append(f"{v.name}: an interleaving compares rankers only; remove {', '.join(extra)}.")
        if len({v.ranker_id for v in variants}) < len(variants):
            problems.append(
                "The two variants of an interleaving must serve different rankers (blank = the active one)."
            )
    for v in variants:
        problems += variant_problems(v)
    for name in [experiment.primary_metric, *experiment.secondary_metrics, *experiment.guardrail_metrics]:
        if name not in METRICS:
            problems.append(f"Unknown metric {name!r} (known: {', '.join(METRICS)}).")
    if not 0 < experiment.traffic_share <= 1:
        problems.append("The traffic share must be above 0 and at most 1.")
    if not 0 < experiment.alpha < 0.5:
        problems.append("The significance level must be between 0 and 0.5.")
    if experiment.audience == Experiment.Audience.SEGMENT and experiment.segment_id is None:
        problems.append("Choose the segment that is the audience.")
    return problems


@transaction.atomic
def experiment_start(*, experiment: Experiment) -> Experiment:
    """Start serving ``experiment``: refused unless it is a draft without problems
    (``experiment_problems``) and its layer has ``traffic_share`` of its buckets free.

    It takes the first free range of the layer's buckets, so experiments in one layer never
    share a shopper.
    """
    Layer.objects.select_for_update().get(pk=experiment.layer_id)  # one start at a time per layer
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if experiment.status != Experiment.Status.DRAFT:
        raise ApplicationError(
            f"Experiment {experiment.name} is {experiment.get_status_display().lower()}; only a draft can start.",
            code="invalid_transition",
        )
    problems = experiment_problems(experiment)
    if problems:
        raise ApplicationError(" ".join(problems), code="not_ready")
    taken = Experiment.objects.filter(layer_id=experiment.layer_id, status=Experiment.Status.RUNNING).values_list(
        "bucket_start", "bucket_end"
    )
    size = max(1, round(experiment.traffic_share * BUCKETS))
    room = free_range([(s, e) for s, e in taken if s is not None and e is not None], size)
    if room is None:
        raise ApplicationError(
            f"Layer {experiment.layer.name} has no {experiment.traffic_share:.0%} of its shoppers free: "
            "stop an experiment in it, lower the traffic share, or use another layer.",
            code="layer_full",
        )
    now = timezone.now()
    experiment.bucket_start, experiment.bucket_end = room
    experiment.status = Experiment.Status.RUNNING
    experiment.started_at = experiment.step_started_at = now
    experiment.rollout_step = 0
    experiment.save(
        update_fields=["bucket_start", "bucket_end", "status", "started_at", "step_started_at", "rollout_step"]
    )
    transaction.on_commit(_caches_clear)
    return experiment


@transaction.atomic
def experiment_stop(*, experiment: Experiment, reason: str = "") -> Experiment:
    """Stop serving ``experiment``: its shoppers get the defaults again. Final: a stopped
    experiment never restarts (a rerun is a new experiment, with a new salt)."""
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if experiment.status != Experiment.Status.RUNNING:
        raise ApplicationError(f"Experiment {experiment.name} is not running.", code="invalid_transition")
    experiment.status = Experiment.Status.STOPPED
    experiment.stopped_at = timezone.now()
    experiment.stop_reason = reason
    experiment.save(update_fields=["status", "stopped_at", "stop_reason"])
    transaction.on_commit(_caches_clear)
    return experiment


@transaction.atomic
def variant_stop(*, variant: Variant, reason: str) -> Variant:
    """Stop one variant (a guardrail breached): its shoppers go back to the defaults, outside
    the experiment; when no treatment variant is left, the experiment stops too."""
    variant = Variant.objects.select_for_update().select_related("experiment").get(pk=variant.pk)
    if variant.stopped_at is not None:
        return variant
    if variant.is_control:
        raise ApplicationError("The control cannot be stopped alone; stop the experiment.", code="control")
    variant.stopped_at = timezone.now()
    variant.stop_reason = reason
    variant.save(update_fields=["stopped_at", "stop_reason"])
    left = variant.experiment.variants.filter(is_control=False, stopped_at__isnull=True, weight__gt=0)
    if variant.experiment.kind == Experiment.Kind.ROLLOUT or not left.exists():
        experiment_stop(experiment=variant.experiment, reason=f"{variant.name} stopped: {reason}")
    transaction.on_commit(_caches_clear)
    return variant


@transaction.atomic
def rollout_advance(*, experiment: Experiment, now: datetime | None = None) -> str:
    """Move a running rollout whose step has been held ``step_hours`` to its next share; at the
    last step's end, ship the treatment (its ranker activated, its mix policy the default) and
    stop. Returns "held", "advanced" or "shipped". The caller checks the guardrails first."""
    now = now or timezone.now()
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if experiment.kind != Experiment.Kind.ROLLOUT or experiment.status != Experiment.Status.RUNNING:
        raise ApplicationError(f"Experiment {experiment.name} is not a running rollout.", code="invalid_transition")
    held_since = experiment.step_started_at or experiment.started_at or now
    if now - held_since < timedelta(hours=experiment.step_hours):
        return "held"
    if experiment.rollout_step + 1 < len(experiment.rollout_steps):
        experiment.rollout_step += 1
        experiment.step_started_at = now
        experiment.save(update_fields=["rollout_step", "step_started_at"])
        transaction.on_commit(_caches_clear)
        return "advanced"
    treated = experiment.variants.select_related("ranker", "policy").get(is_control=False)
    if treated.ranker is not None:
        ranker_activate(model=treated.ranker)
    if treated.policy is not None:
        mix_policy_make_default(policy=treated.policy)
    experiment_stop(experiment=experiment, reason=f"Rolled out to everyone: {treated.name} shipped.")
    return "shipped"


@transaction.atomic
def rollout_draft_for_model(*, model: RankerModel, layer: Layer, guardrails: list[str] | None = None) -> Experiment:
    """A draft staged rollout of ranker ``model``: the active model as the control, ``model`` as
    the treatment, on click-through with the usual guardrails; started like any experiment."""
    experiment = Experiment.objects.create(
        name=f"rollout-{model.version}"[:40],
        kind=Experiment.Kind.ROLLOUT,
        hypothesis=f"Ranker {model.version} serves shoppers at least as well as the active model.",
        layer=layer,
        primary_metric="click_through",
        secondary_metrics=["add_to_cart", "conversion"],
        guardrail_metrics=guardrails if guardrails is not None else ["conversion", "hide_rate"],
    )
    Variant.objects.create(experiment=experiment, name="active", is_control=True)
    Variant.objects.create(experiment=experiment, name="new-model", ranker=model)
    return experiment
