import pytest
from django.db import IntegrityError

from experiments.models import Experiment
from experiments.services import experiment_start, experiment_stop
from feedsite.errors import ApplicationError
from ranking import policy
from tests.factories import ExperimentFactory, VariantFactory

pytestmark = pytest.mark.django_db


def ready(**fields):
    """A draft experiment with two equally weighted variants."""
    experiment = ExperimentFactory(**fields)
    VariantFactory.create_batch(2, experiment=experiment)
    return experiment


def snapshot():
    return list(Experiment.objects.order_by("pk").values("pk", "status", "started_at", "stopped_at"))


def test_start_runs_a_draft_and_the_feed_sees_it_at_once(django_capture_on_commit_callbacks):
    experiment = ready(name="mix-a")
    assert policy.policy_for_shopper(1)[1] == "built-in"  # cached: nothing running

    with django_capture_on_commit_callbacks(execute=True):
        experiment_start(experiment=experiment)

    experiment.refresh_from_db()
    assert experiment.status == Experiment.Status.RUNNING
    assert experiment.started_at is not None
    assert policy.policy_for_shopper(1)[1].startswith("mix-a/")


def test_stop_ends_a_running_experiment_and_the_feed_returns_to_the_default(django_capture_on_commit_callbacks):
    experiment = ready(name="mix-b")
    experiment_start(experiment=experiment)
    assert policy.policy_for_shopper(1)[1].startswith("mix-b/")

    with django_capture_on_commit_callbacks(execute=True):
        experiment_stop(experiment=experiment)

    experiment.refresh_from_db()
    assert (experiment.status, experiment.stopped_at is not None) == (Experiment.Status.STOPPED, True)
    assert policy.policy_for_shopper(1)[1] == "built-in"


def test_a_second_experiment_cannot_start_while_one_runs():
    experiment_start(experiment=ready(name="first"))
    second = ready(name="second")
    before = snapshot()

    with pytest.raises(ApplicationError) as refused:
        experiment_start(experiment=second)

    assert refused.value.code == "experiment_running"
    assert refused.value.message == "Experiment first is already running; stop it before starting second."
    assert snapshot() == before


def test_the_database_refuses_a_second_running_experiment_too():
    ExperimentFactory(status="running")

    with pytest.raises(IntegrityError):
        ExperimentFactory(status="running")


@pytest.mark.parametrize("weights", [[], [1], [1, 0]])
def test_an_experiment_needs_two_weighted_variants(weights):
    experiment = ExperimentFactory()
    for weight in weights:
        VariantFactory(experiment=experiment, weight=weight)
    before = snapshot()

    with pytest.raises(ApplicationError) as refused:
        experiment_start(experiment=experiment)

    assert refused.value.code == "too_few_variants"
    assert snapshot() == before


@pytest.mark.parametrize(("status", "action"), [("running", "start"), ("stopped", "start"), ("draft", "stop")])
def test_lifecycle_moves_only_forward(status, action):
    experiment = ready(status=status)
    before = snapshot()

    with pytest.raises(ApplicationError) as refused:
        (experiment_start if action == "start" else experiment_stop)(experiment=experiment)

    assert refused.value.code == "invalid_transition"
    assert snapshot() == before
