"""Reads of the experiments domain: the running experiment, and which variant a shopper is in."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from experiments.models import Experiment, Variant


@dataclass(frozen=True, slots=True)
class ArmSpec:
    """A variant as serving sees it: ``policy`` is a ``MixPolicy`` name, ``None`` for the default."""

    name: str
    weight: int
    policy: str | None


@dataclass(frozen=True, slots=True)
class RunningExperiment:
    name: str
    salt: str
    arms: tuple[ArmSpec, ...]  # weight > 0 only, in variant id order (assignment depends on it)

    @property
    def total_weight(self) -> int:
        return sum(arm.weight for arm in self.arms)


def running_experiment() -> RunningExperiment | None:
    """The experiment that applies to the feed now, if any; one query.

    Variants without weight take no shoppers and are left out; a running experiment without any
    weighted variant (``experiment_start`` refuses those) is treated as none.
    """
    rows = list(
        Variant.objects.filter(experiment__status=Experiment.Status.RUNNING, weight__gt=0)
        .order_by("id")
        .values_list("experiment__name", "experiment__salt", "name", "weight", "policy__name")
    )
    arms = [ArmSpec(name=name, weight=weight, policy=policy) for _, _, name, weight, policy in rows]
    if not arms:
        return None
    experiment, salt = rows[0][:2]
    return RunningExperiment(name=experiment, salt=salt, arms=tuple(arms))


def bucket(salt: str, shopper_id: int, buckets: int) -> int:
    """A stable, uniform number in ``[0, buckets)`` for this shopper under this salt.

    64 bits of a hash modulo the total weight: the modulo bias is below 1e-15 for any weight a
    marketer types, and salting per experiment keeps one experiment's split independent of another's.
    """
    digest = hashlib.blake2b(f"{salt}:{shopper_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % buckets


def variant_assign(experiment: RunningExperiment, shopper_id: int) -> ArmSpec:
    """The variant ``shopper_id`` is in: the same one on every request while the experiment runs.

    Stable as long as the salt and the weights do; both are frozen once an experiment runs.
    """
    point = bucket(experiment.salt, shopper_id, experiment.total_weight)
    for arm in experiment.arms:
        if point < arm.weight:
            return arm
        point -= arm.weight
    raise AssertionError("unreachable: point < total weight")


def policy_assignment(**_: object) -> Callable[[int], tuple[str | None, str]] | None:
    """``ranking.signals.policy_assignment``: with an experiment running, each shopper's variant
    policy (``None`` for the default) and its label "experiment/variant"; one query."""
    experiment = running_experiment()
    return None if experiment is None else functools.partial(_assigned, experiment)


def _assigned(experiment: RunningExperiment, shopper_id: int) -> tuple[str | None, str]:
    arm = variant_assign(experiment, shopper_id)
    return arm.policy, f"{experiment.name}/{arm.name}"
