from datetime import timedelta

import pytest

from experiments.models import BUCKETS, Experiment, Layer
from experiments.services import experiment_start, experiment_stop, rollout_advance, variant_stop
from feedsite.errors import ApplicationError
from ranking import treatment
from tests.factories import ExperimentFactory, MixPolicyFactory, ShopperFactory, VariantFactory

pytestmark = pytest.mark.django_db


def ready(**fields):
    """A draft experiment with a control and a treatment, equally weighted."""
    experiment = ExperimentFactory(**fields)
    VariantFactory(experiment=experiment, name="control", is_control=True)
    VariantFactory(experiment=experiment, name="bold", policy=MixPolicyFactory())
    return experiment


def snapshot():
    return list(Experiment.objects.order_by("pk").values("pk", "status", "started_at", "stopped_at", "bucket_start"))


def labels(shopper):
    return treatment.treatment_for(shopper).labels


def test_start_runs_a_draft_and_the_feed_sees_it_at_once(django_capture_on_commit_callbacks):
    experiment = ready(name="mix-a")
    shopper = ShopperFactory()
    assert labels(shopper) == ()  # cached: nothing running

    with django_capture_on_commit_callbacks(execute=True):
        experiment_start(experiment=experiment)

    experiment.refresh_from_db()
    assert experiment.status == Experiment.Status.RUNNING
    assert (experiment.bucket_start, experiment.bucket_end) == (0, BUCKETS)
    assert experiment.started_at is not None
    assert labels(shopper)[0] in {"mix-a/control", "mix-a/bold"}


def test_stop_ends_a_running_experiment_and_the_feed_returns_to_the_default(django_capture_on_commit_callbacks):
    experiment = ready(name="mix-b")
    shopper = ShopperFactory()
    experiment_start(experiment=experiment)
    assert labels(shopper)[0].startswith("mix-b/")

    with django_capture_on_commit_callbacks(execute=True):
        experiment_stop(experiment=experiment, reason="done")

    experiment.refresh_from_db()
    assert (experiment.status, experiment.stop_reason) == (Experiment.Status.STOPPED, "done")
    assert labels(shopper) == ()


def test_experiments_in_one_layer_take_disjoint_ranges_until_it_is_full():
    first = experiment_start(experiment=ready(name="first", traffic_share=0.6))
    second = experiment_start(experiment=ready(name="second", traffic_share=0.4))
    third = ready(name="third", traffic_share=0.1)
    before = snapshot()

    with pytest.raises(ApplicationError) as refused:
        experiment_start(experiment=third)

    assert (first.bucket_start, first.bucket_end, second.bucket_start, second.bucket_end) == (0, 6000, 6000, 10_000)
    assert refused.value.code == "layer_full"
    assert "Layer main has no 10% of its shoppers free" in refused.value.message
    assert snapshot() == before
    # Another layer has room: layers overlap.
    other = experiment_start(experiment=ready(name="elsewhere", layer=Layer.objects.create(name="ranking")))
    assert (other.bucket_start, other.bucket_end) == (0, BUCKETS)
    # A stopped experiment frees its range.
    experiment_stop(experiment=second)
    started = experiment_start(experiment=third)
    assert (started.bucket_start, started.bucket_end) == (6000, 7000)


@pytest.mark.parametrize(
    ("variants", "problem"),
    [
        ([{"weight": 1, "is_control": True}], "at least 2 variants"),
        ([{"is_control": True}, {"weight": 0}], "at least 2 variants"),
        ([{}, {}], "exactly one variant as the control"),
        ([{"is_control": True}, {"source_weights": {"psychic": 2}}], "unknown candidate source 'psychic'"),
        ([{"is_control": True}, {"source_weights": {"popular": -1}}], "must be a number ≥ 0"),
        ([{"is_control": True}, {"switches_off": ["telepathy"]}], "unknown switch 'telepathy'"),
    ],
)
def test_a_draft_with_problems_does_not_start_and_says_why(variants, problem):
    experiment = ExperimentFactory()
    for fields in variants:
        VariantFactory(experiment=experiment, **fields)
    before = snapshot()

    with pytest.raises(ApplicationError) as refused:
        experiment_start(experiment=experiment)

    assert refused.value.code == "not_ready"
    assert problem in refused.value.message
    assert snapshot() == before


def test_unknown_metrics_and_a_segment_audience_without_a_segment_are_problems():
    experiment = ready(primary_metric="happiness", guardrail_metrics=["revenue", "luck"], audience="segment")

    with pytest.raises(ApplicationError) as refused:
        experiment_start(experiment=experiment)

    assert "Unknown metric 'happiness'" in refused.value.message
    assert "Unknown metric 'luck'" in refused.value.message
    assert "Choose the segment" in refused.value.message


@pytest.mark.parametrize(("status", "action"), [("running", "start"), ("stopped", "start"), ("draft", "stop")])
def test_lifecycle_moves_only_forward(status, action):
    experiment = ready(status=status)
    before = snapshot()

    with pytest.raises(ApplicationError) as refused:
        (experiment_start if action == "start" else experiment_stop)(experiment=experiment)

    assert refused.value.code == "invalid_transition"
    assert snapshot() == before


def test_stopping_the_last_treatment_variant_stops_the_experiment_with_the_reason():
    experiment = experiment_start(experiment=ready(name="mix-c"))
    bold = experiment.variants.get(name="bold")

    variant_stop(variant=bold, reason="hide_rate up 40%")

    experiment.refresh_from_db()
    bold.refresh_from_db()
    assert bold.stop_reason == "hide_rate up 40%"
    assert (experiment.status, experiment.stop_reason) == ("stopped", "bold stopped: hide_rate up 40%")


def test_a_rollout_holds_each_step_for_its_hours_then_ramps_then_ships_its_policy():
    policy = MixPolicyFactory(name="new-mix")
    experiment = ExperimentFactory(kind="rollout", rollout_steps=[0.01, 0.1, 0.5, 1.0], step_hours=24)
    VariantFactory(experiment=experiment, name="control", is_control=True)
    VariantFactory(experiment=experiment, name="new", policy=policy)
    experiment_start(experiment=experiment)
    experiment.refresh_from_db()
    start = experiment.step_started_at
    hours = [23, 25, 48, 50, 73, 75, 98, 100]

    outcomes = [rollout_advance(experiment=experiment, now=start + timedelta(hours=h)) for h in hours]

    assert outcomes == ["held", "advanced", "held", "advanced", "held", "advanced", "held", "shipped"]
    experiment.refresh_from_db()
    policy.refresh_from_db()
    assert experiment.status == "stopped"
    assert experiment.stop_reason == "Rolled out to everyone: new shipped."
    assert policy.is_default
