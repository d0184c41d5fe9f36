"""The schedule's check of running experiments: a breached guardrail stops its variant, a rollout
ramps while its guardrails hold and stops when one breaks."""

from datetime import timedelta

import numpy as np
import pytest

from experiments.models import Experiment, Exposure, ResultSnapshot
from experiments.monitor import experiment_check, experiments_check
from experiments.services import experiment_start
from experiments.tasks import check
from profiles.events.models import Interaction
from tests.factories import ContentItemFactory, ExperimentFactory, MixPolicyFactory, ShopperFactory, VariantFactory

pytestmark = pytest.mark.django_db


def traffic(experiment: Experiment, hide_rate: dict[str, float], *, shoppers: int = 300, seed: int = 5) -> None:
    """Exposed shoppers per variant, each shown 20 cards after their exposure and hiding each with
    the variant's probability (a click on each fifth card, the same everywhere)."""
    rng = np.random.default_rng(seed)
    items = ContentItemFactory.create_batch(4)
    start = experiment.started_at
    exposures, events = [], []
    for variant in experiment.variants.all():
        for n, shopper in enumerate(ShopperFactory.create_batch(shoppers)):
            first = start + timedelta(minutes=n % 60)
            exposures.append(Exposure(experiment=experiment, variant=variant, shopper=shopper, first_at=first))
            for k in range(20):
                when = first + timedelta(minutes=k + 1)
                item = items[k % 4]
                kinds = ["impression"] + (["open"] if k % 5 == 0 else [])
                kinds += ["hide"] if rng.random() < hide_rate[variant.name] else []
                events += [
                    Interaction(
                        event_id=f"m-{variant.pk}-{shopper.pk}-{k}-{kind}",
                        shopper=shopper,
                        content=item,
                        type=kind,
                        occurred_at=when,
                    )
                    for kind in kinds
                ]
    Exposure.objects.bulk_create(exposures)
    Interaction.objects.bulk_create(events)


def running(kind: str = "ab", **fields) -> Experiment:
    experiment = ExperimentFactory(
        name="guarded",
        kind=kind,
        primary_metric="click_through",
        guardrail_metrics=["hide_rate"],
        min_sample=100,
        min_days=1,
        **fields,
    )
    VariantFactory(experiment=experiment, name="control", is_control=True)
    VariantFactory(experiment=experiment, name="bold", policy=MixPolicyFactory())
    return experiment_start(experiment=experiment)


def test_a_guardrail_breach_stops_the_variant_and_its_shoppers_return_to_control():
    experiment = running()
    traffic(experiment, {"control": 0.02, "bold": 0.25})

    checked = experiment_check(experiment=experiment, now=experiment.started_at + timedelta(days=2))

    experiment.refresh_from_db()
    bold = experiment.variants.get(name="bold")
    assert checked.stopped == ["bold"]
    assert bold.stop_reason.startswith("guardrail hide_rate moved the wrong way: lift +")
    # its only treatment stopped: the experiment stops with the reason, and serves nobody
    assert (experiment.status, experiment.stop_reason) == ("stopped", f"bold stopped: {bold.stop_reason}")
    assert ResultSnapshot.objects.filter(experiment=experiment).count() == 1


def test_guardrails_that_hold_stop_nothing_and_the_task_records_each_running_experiment():
    experiment = running()
    traffic(experiment, {"control": 0.05, "bold": 0.05})

    outcome = check()

    experiment.refresh_from_db()
    assert outcome == [{"experiment": "guarded", "stopped": [], "rollout": ""}]
    assert experiment.status == "running"
    assert experiment.variants.filter(stopped_at__isnull=False).count() == 0
    report = ResultSnapshot.objects.get(experiment=experiment).report
    assert [g["breached"] for g in report["guardrails"]] == [False]


def test_a_rollout_ramps_on_its_schedule_while_its_guardrails_hold():
    experiment = running(kind="rollout", rollout_steps=[0.1, 0.5, 1.0], step_hours=24)
    traffic(experiment, {"control": 0.05, "bold": 0.05})
    start = experiment.step_started_at

    outcomes = [
        experiment_check(experiment=experiment, now=start + timedelta(hours=h)).rollout for h in (2, 25, 30, 50, 75)
    ]

    experiment.refresh_from_db()
    assert outcomes == ["held", "advanced", "held", "advanced", "shipped"]
    assert (experiment.status, experiment.stop_reason) == ("stopped", "Rolled out to everyone: bold shipped.")
    assert experiment.variants.get(name="bold").policy.is_default


def test_a_rollout_whose_guardrail_breaks_stops_instead_of_ramping():
    experiment = running(kind="rollout", rollout_steps=[0.1, 0.5, 1.0], step_hours=24)
    traffic(experiment, {"control": 0.02, "bold": 0.25})

    checked = experiments_check(now=experiment.step_started_at + timedelta(hours=25))

    experiment.refresh_from_db()
    assert [(c.stopped, c.rollout) for c in checked] == [(["bold"], "")]
    assert (experiment.status, experiment.rollout_step) == ("stopped", 0)
    assert not experiment.variants.get(name="bold").policy.is_default
