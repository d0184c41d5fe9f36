import pytest
from django.urls import reverse

from experiments.models import Experiment, Variant
from tests.factories import ExperimentFactory, MixPolicyFactory, VariantFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:experiments_experiment_changelist")


def inline(rows, *, initial=0):
    """The POST data of the variants inline, ``rows`` as (id or "", name, weight, policy id or "")."""
    data = {
        "variants-TOTAL_FORMS": str(len(rows)),
        "variants-INITIAL_FORMS": str(initial),
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
    }
    for n, (pk, name, weight, policy) in enumerate(rows):
        data |= {
            f"variants-{n}-id": pk,
            f"variants-{n}-name": name,
            f"variants-{n}-weight": weight,
            f"variants-{n}-policy": policy,
        }
    return data


def test_marketer_creates_an_experiment_with_variants_inline(admin_client):
    bold = MixPolicyFactory(name="bold")

    response = admin_client.post(
        reverse("admin:experiments_experiment_add"),
        {"name": "mix-spring", "description": "", "salt": "pepper"}
        | inline([("", "control", "1", ""), ("", "bold", "1", str(bold.pk))]),
    )

    assert response.status_code == 302
    experiment = Experiment.objects.get(name="mix-spring")
    assert experiment.status == Experiment.Status.DRAFT
    assert list(experiment.variants.values_list("name", "weight", "policy__name")) == [
        ("control", 1, None),
        ("bold", 1, "bold"),
    ]


def test_start_action_runs_the_experiment_and_lists_its_split(admin_client):
    experiment = ExperimentFactory(name="mix-go")
    VariantFactory(experiment=experiment, name="control", weight=3)
    VariantFactory(experiment=experiment, name="bold", weight=1)

    response = admin_client.post(
        CHANGELIST, {"action": "start_experiments", "_selected_action": [experiment.pk]}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["Experiment mix-go is running."]
    experiment.refresh_from_db()
    assert experiment.status == Experiment.Status.RUNNING
    assert '<td class="field-variant_split">control 3, bold 1</td>' in response.content.decode()


def test_start_action_refuses_a_second_running_experiment_with_the_reason(admin_client):
    ExperimentFactory(name="mix-on", status="running")
    waiting = ExperimentFactory(name="mix-next")
    VariantFactory.create_batch(2, experiment=waiting)

    response = admin_client.post(
        CHANGELIST, {"action": "start_experiments", "_selected_action": [waiting.pk]}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Experiment mix-on is already running; stop it before starting mix-next."
    ]
    assert list(Experiment.objects.order_by("pk").values_list("status", flat=True)) == ["running", "draft"]


def test_a_running_experiments_variants_and_salt_cannot_be_edited(admin_client):
    experiment = ExperimentFactory(name="mix-frozen", salt="pepper", status="running")
    variant = VariantFactory(experiment=experiment, name="control", weight=1)
    change = reverse("admin:experiments_experiment_change", args=[experiment.pk])

    admin_client.post(
        change,
        {"name": "renamed", "description": "edited", "salt": "other"}
        | inline([(str(variant.pk), "control", "9", "")], initial=1),
    )

    experiment.refresh_from_db()
    assert (experiment.name, experiment.salt, experiment.description) == ("mix-frozen", "pepper", "edited")
    assert list(Variant.objects.values_list("name", "weight")) == [("control", 1)]


def test_a_running_experiment_cannot_be_deleted(admin_client):
    experiment = ExperimentFactory(status="running")

    response = admin_client.post(reverse("admin:experiments_experiment_delete", args=[experiment.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Experiment.objects.filter(pk=experiment.pk).exists()
