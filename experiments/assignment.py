"""Who is in which variant: deterministic salted hashing, layers, the global holdout, audiences.

    shopper (or the visitor they signed in from: ``StickyUnit``) → unit id
    unit in the holdout (hash of the holdout's salt < share) → the defaults, in no experiment
    for each running experiment: unit's bucket in its layer (hash of the layer's salt) within the
    experiment's range, and the shopper in its audience → a variant (hash of the experiment's salt)
    → the variants' treatments merged (``ranking.treatment.Treatment``), each labelled "experiment/variant"

Everything but the sticky units and segment audiences is a pure function of salts and the unit
id: a shopper keeps their variant on every request and in every process, with no row per shopper.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from experiments.models import BUCKETS, Experiment, Holdout, StickyUnit, Variant
from experiments.segments.selectors import is_member
from profiles.models import Shopper
from ranking.treatment import DEFAULT, Treatment


def bucket(salt: str, unit: int, buckets: int) -> int:
    """A stable, uniform number in ``[0, buckets)`` for this unit under this salt.

    64 bits of a hash modulo ``buckets``: the modulo bias is below 1e-15 for any count a marketer
    types, and a salt per experiment (and per layer) keeps one split independent of another.
    """
    digest = hashlib.blake2b(f"{salt}:{unit}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % buckets


@dataclass(frozen=True, slots=True)
class Arm:
    """A variant as assignment sees it."""

    id: int
    name: str
    weight: int
    is_control: bool
    stopped: bool  # a guardrail stopped it: its shoppers are served the defaults, outside the experiment
    treatment: Treatment


@dataclass(frozen=True, slots=True)
class Running:
    id: int
    name: str
    kind: str
    salt: str
    layer_salt: str
    buckets: tuple[int, int]  # the layer's buckets [start, end) it owns
    audience: str
    segment_id: int | None
    started_at: datetime | None
    rollout_step: int
    rollout_share: float  # a rollout's treatment share of its traffic at the current step
    arms: tuple[Arm, ...]

    def arm_for(self, unit: int) -> Arm:
        """The variant of ``unit`` (already known to be in this experiment's buckets)."""
        if self.kind == Experiment.Kind.ROLLOUT:
            control = next(a for a in self.arms if a.is_control)
            treated = next(a for a in self.arms if not a.is_control)
            # Monotone in the share: a shopper treated at one step stays treated at the next.
            return treated if bucket(self.salt, unit, BUCKETS) < round(self.rollout_share * BUCKETS) else control
        weighted = [a for a in self.arms if a.weight > 0]
        point = bucket(self.salt, unit, sum(a.weight for a in weighted))
        for arm in weighted:
            if point < arm.weight:
                return arm
            point -= arm.weight
        raise AssertionError("unreachable: point < total weight")


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything assignment needs, read once (``running_plan``) and kept per process."""

    holdout_share: float
    holdout_salt: str
    experiments: tuple[Running, ...]

    def in_holdout(self, unit: int) -> bool:
        return self.holdout_share > 0 and bucket(self.holdout_salt, unit, BUCKETS) < round(self.holdout_share * BUCKETS)


def variant_treatment(variant: Variant, variants: Sequence[Variant] | None = None) -> Treatment:
    """What ``variant`` changes, labelled "experiment/variant"; an interleaving (of its
    ``variants``: read when not given) merges its two variants' rankers, labelled
    "experiment/interleaved"."""
    experiment = variant.experiment
    if experiment.kind == Experiment.Kind.INTERLEAVE:
        both = experiment.variants.select_related("ranker") if variants is None else variants
        arms = sorted(both, key=lambda v: (not v.is_control, v.pk))
        versions = tuple(v.ranker.version if v.ranker else None for v in arms[:2])
        return Treatment(interleave=(versions[0], versions[1]), labels=(f"{experiment.name}/interleaved",))
    return Treatment(
        policy=variant.policy.name if variant.policy else None,
        ranker=variant.ranker.version if variant.ranker else None,
        source_weights=tuple(sorted((str(s), float(w)) for s, w in variant.source_weights.items())),
        switches_off=frozenset(variant.switches_off),
        labels=(f"{experiment.name}/{variant.name}",),
    )


def running_plan() -> Plan:
    """The holdout and the running experiments with their variants' treatments; three queries."""
    holdout = Holdout.current()
    experiments = (
        Experiment.objects.filter(status=Experiment.Status.RUNNING, bucket_start__isnull=False)
        .select_related("layer")
        .prefetch_related(Prefetch("variants", Variant.objects.select_related("experiment", "policy", "ranker")))
        .order_by("layer__name", "bucket_start")
    )
    running = []
    for experiment in experiments:
        steps = experiment.rollout_steps or [1.0]
        variants = list(experiment.variants.all())
        arms = tuple(
            Arm(v.pk, v.name, v.weight, v.is_control, v.stopped_at is not None, variant_treatment(v, variants))
            for v in variants
        )
        running.append(
            Running(
                id=experiment.pk,
                name=experiment.name,
                kind=experiment.kind,
                salt=experiment.salt,
                layer_salt=experiment.layer.salt,
                buckets=(experiment.bucket_start or 0, experiment.bucket_end or 0),
                audience=experiment.audience,
                segment_id=experiment.segment_id,
                started_at=experiment.started_at,
                rollout_step=experiment.rollout_step,
                rollout_share=float(steps[min(experiment.rollout_step, len(steps) - 1)]),
                arms=arms,
            )
        )
    return Plan(holdout.share, holdout.salt, tuple(running))


@dataclass(frozen=True, slots=True)
class Assigned:
    experiment: Running
    arm: Arm


def assigned(plan: Plan, shopper: Shopper, *, units: dict[int, int] | None = None) -> list[Assigned]:
    """The experiments ``shopper`` is in and their variant in each: a query for the sticky units
    (unless given: experiment id → unit) when experiments run, and one per segment audience."""
    if shopper.pk is None or not plan.experiments:
        return []
    if units is None:
        running = [e.id for e in plan.experiments]
        sticky = StickyUnit.objects.filter(shopper_id=shopper.pk, experiment_id__in=running)
        units = dict(sticky.values_list("experiment_id", "unit"))
    if plan.in_holdout(shopper.pk):
        return []
    found = []
    for experiment in plan.experiments:
        unit = units.get(experiment.id, shopper.pk)
        start, end = experiment.buckets
        if not start <= bucket(experiment.layer_salt, unit, BUCKETS) < end:
            continue
        if not _in_audience(experiment, shopper):
            continue
        found.append(Assigned(experiment, experiment.arm_for(unit)))
    return found


def treatment_of(plan: Plan, shopper: Shopper) -> Treatment:
    """The treatment ``shopper`` is served: their variants' merged; the defaults outside every
    experiment, and for a variant a guardrail stopped."""
    treatment = DEFAULT
    for found in assigned(plan, shopper):
        if not found.arm.stopped:
            treatment = treatment.merged(found.arm.treatment)
    return treatment


def _in_audience(experiment: Running, shopper: Shopper) -> bool:
    if experiment.audience == Experiment.Audience.NEW:
        return experiment.started_at is not None and shopper.created_at >= experiment.started_at
    if experiment.audience == Experiment.Audience.SEGMENT:
        if experiment.segment_id is None:
            return False
        return is_member(shopper.pk, experiment.segment_id)
    return True


def labels_of(plan: Plan) -> dict[str, tuple[int, int, int]]:
    """Label → (experiment id, variant id, rollout step): what an exposure row records. An
    interleaving's label records its control variant."""
    out: dict[str, tuple[int, int, int]] = {}
    for experiment in plan.experiments:
        for arm in experiment.arms:
            for label in arm.treatment.labels:
                if label not in out or arm.is_control:
                    out[label] = (experiment.id, arm.id, experiment.rollout_step)
    return out


def free_range(ranges: Sequence[tuple[int, int]], size: int) -> tuple[int, int] | None:
    """The first free range of ``size`` buckets beside the taken ``ranges``; ``None`` when full."""
    start = 0
    for taken_start, taken_end in sorted(ranges):
        if taken_start - start >= size:
            return start, start + size
        start = max(start, taken_end)
    return (start, start + size) if BUCKETS - start >= size else None
