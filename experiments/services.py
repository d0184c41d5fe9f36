"""Every write to the experiments domain's lifecycle: start and stop.

Variants are edited (admin) only while an experiment is a draft: a running experiment's salt,
variants and weights are frozen, because changing them would move shoppers between variants.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from experiments.models import Experiment
from feedsite.errors import ApplicationError
from ranking.policy import clear_cache as policy_cache_clear

# An experiment compares: a single variant would be a rollout, which is what the default policy is for.
MIN_VARIANTS = 2


@transaction.atomic
def experiment_start(*, experiment: Experiment) -> Experiment:
    """Start serving ``experiment``'s variants; refused unless it is a draft, has at least
    ``MIN_VARIANTS`` weighted variants and no other experiment is running.

    This process serves the change at once, the others within ``ranking.policy.POLICY_CACHE_SECONDS``.
    """
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if experiment.status != Experiment.Status.DRAFT:
        raise ApplicationError(
            f"Experiment {experiment.name} is {experiment.get_status_display().lower()}; only a draft can start.",
            code="invalid_transition",
        )
    weighted = experiment.variants.filter(weight__gt=0).count()
    if weighted < MIN_VARIANTS:
        raise ApplicationError(
            f"Experiment {experiment.name} needs at least {MIN_VARIANTS} variants with a weight above 0.",
            code="too_few_variants",
        )
    running = Experiment.objects.filter(status=Experiment.Status.RUNNING).first()
    if running is not None:
        raise ApplicationError(
            f"Experiment {running.name} is already running; stop it before starting {experiment.name}.",
            code="experiment_running",
        )
    experiment.status = Experiment.Status.RUNNING
    experiment.started_at = timezone.now()
    try:
        with transaction.atomic():
            experiment.save(update_fields=["status", "started_at"])
    except IntegrityError as race:  # another one started between the check and the save
        raise ApplicationError(
            f"Another experiment started meanwhile; stop it before starting {experiment.name}.",
            code="experiment_running",
        ) from race
    transaction.on_commit(policy_cache_clear)
    return experiment


@transaction.atomic
def experiment_stop(*, experiment: Experiment) -> Experiment:
    """Stop serving ``experiment``: its shoppers get the default policy again. Final: a stopped
    experiment never restarts (a rerun is a new experiment, with a new salt)."""
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if experiment.status != Experiment.Status.RUNNING:
        raise ApplicationError(
            f"Experiment {experiment.name} is not running.",
            code="invalid_transition",
        )
    experiment.status = Experiment.Status.STOPPED
    experiment.stopped_at = timezone.now()
    experiment.save(update_fields=["status", "stopped_at"])
    transaction.on_commit(policy_cache_clear)
    return experiment
