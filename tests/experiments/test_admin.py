import pytest
from django.urls import reverse

from experiments.models import Experiment, Layer, Variant
from experiments.services import experiment_start
from tests.factories import ExperimentFactory, MixPolicyFactory, VariantFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:experiments_experiment_changelist")


def fields(**overrides):
    """The experiment form's POST data: an A/B test on click-through in the layer main."""
    main = Layer.objects.get_or_create(name="main")[0]
    data = {
        "name": "mix-spring",
        "kind": "ab",
        "hypothesis": "Bolder mixes get more clicks",
        "description": "",
        "layer": str(main.pk),
        "traffic_share": "1",
        "audience": "all",
        "primary_metric": "click_through",
        "guardrail_metrics": ["hide_rate"],
        "alpha": "0.05",
        "min_sample": "200",
        "min_days": "7",
        "rollout_steps": "[0.01, 0.1, 0.5, 1.0]",
        "step_hours": "24",
    }
    return data | overrides


def inline(rows, *, initial=0):
    """The POST data of the variants inline, ``rows`` as (id or "", name, weight, policy id or "", extra)."""
    data = {
        "variants-TOTAL_FORMS": str(len(rows)),
        "variants-INITIAL_FORMS": str(initial),
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
    }
    for n, (pk, name, weight, policy, extra) in enumerate(rows):
        data |= {
            f"variants-{n}-id": pk,
            f"variants-{n}-name": name,
            f"variants-{n}-weight": weight,
            f"variants-{n}-policy": policy,
            f"variants-{n}-source_weights": "{}",
        } | {f"variants-{n}-{key}": value for key, value in extra.items()}
    return data


def test_marketer_creates_an_experiment_with_hypothesis_metrics_and_variants_inline(admin_client):
    bold = MixPolicyFactory(name="bold")

    response = admin_client.post(
        reverse("admin:experiments_experiment_add"),
        fields()
        | inline(
            [
                ("", "control", "1", "", {"is_control": "on"}),
                ("", "bold", "1", str(bold.pk), {"source_weights": '{"popular": 0.5}', "switches_off": ["intent"]}),
            ]
        ),
    )

    assert response.status_code == 302
    experiment = Experiment.objects.get(name="mix-spring")
    assert (experiment.status, experiment.guardrail_metrics, experiment.layer.name) == ("draft", ["hide_rate"], "main")
    assert list(
        experiment.variants.values_list(
            "name", "is_control", "weight", "policy__name", "source_weights", "switches_off"
        )
    ) == [("control", True, 1, None, {}, []), ("bold", False, 1, "bold", {"popular": 0.5}, ["intent"])]


def test_a_variant_with_an_unknown_source_is_refused_with_the_reason_and_nothing_saved(admin_client):
    response = admin_client.post(
        reverse("admin:experiments_experiment_add"),
        fields()
        | inline(
            [("", "control", "1", "", {"is_control": "on"}), ("", "odd", "1", "", {"source_weights": '{"psychic": 2}'})]
        ),
    )

    assert response.status_code == 200
    assert "unknown candidate source &#x27;psychic&#x27;" in response.content.decode()
    assert not Experiment.objects.exists()


def test_a_draft_lists_what_keeps_it_from_starting(admin_client):
    experiment = ExperimentFactory(name="mix-wait")
    VariantFactory(experiment=experiment, name="a")

    page = admin_client.get(reverse("admin:experiments_experiment_change", args=[experiment.pk])).content.decode()

    assert "<li>Mark exactly one variant as the control.</li>" in page
    assert "<li>An A/B test needs at least 2 variants with a weight above 0.</li>" in page


def test_start_action_runs_the_experiment_and_lists_its_split(admin_client):
    experiment = ExperimentFactory(name="mix-go")
    VariantFactory(experiment=experiment, name="control", weight=3, is_control=True)
    VariantFactory(experiment=experiment, name="bold", weight=1)

    response = admin_client.post(
        CHANGELIST, {"action": "start_experiments", "_selected_action": [experiment.pk]}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["Experiment mix-go is running."]
    experiment.refresh_from_db()
    assert experiment.status == Experiment.Status.RUNNING
    assert '<td class="field-variant_split">control (control) 3, bold 1</td>' in response.content.decode()


def test_start_action_refuses_an_experiment_its_layer_has_no_room_for_with_the_reason(admin_client):
    on = ExperimentFactory(name="mix-on", traffic_share=0.8)
    VariantFactory(experiment=on, is_control=True)
    VariantFactory(experiment=on)
    experiment_start(experiment=on)
    waiting = ExperimentFactory(name="mix-next", traffic_share=0.5)
    VariantFactory(experiment=waiting, is_control=True)
    VariantFactory(experiment=waiting)

    response = admin_client.post(
        CHANGELIST, {"action": "start_experiments", "_selected_action": [waiting.pk]}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Layer main has no 50% of its shoppers free: stop an experiment in it, lower the traffic share, "
        "or use another layer."
    ]
    assert list(Experiment.objects.order_by("pk").values_list("status", flat=True)) == ["running", "draft"]


def test_a_running_experiments_variants_salt_audience_and_metrics_cannot_be_edited(admin_client):
    experiment = ExperimentFactory(name="mix-frozen", salt="pepper")
    variant = VariantFactory(experiment=experiment, name="control", weight=1, is_control=True)
    VariantFactory(experiment=experiment, name="other", weight=1)
    experiment_start(experiment=experiment)
    change = reverse("admin:experiments_experiment_change", args=[experiment.pk])

    admin_client.post(
        change,
        fields(
            name="renamed",
            description="edited",
            salt="other",
            traffic_share="0.1",
            primary_metric="revenue",
            alpha="0.2",
        )
        | inline([(str(variant.pk), "control", "9", "", {})], initial=1),
    )

    experiment.refresh_from_db()
    assert (experiment.name, experiment.salt, experiment.description, experiment.traffic_share) == (
        "mix-frozen",
        "pepper",
        "edited",
        1.0,
    )
    assert (experiment.primary_metric, experiment.alpha) == ("click_through", 0.05)
    assert list(Variant.objects.order_by("pk").values_list("name", "weight")) == [("control", 1), ("other", 1)]


def test_a_running_experiment_cannot_be_deleted(admin_client):
    experiment = ExperimentFactory(status="running")

    response = admin_client.post(reverse("admin:experiments_experiment_delete", args=[experiment.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Experiment.objects.filter(pk=experiment.pk).exists()


def test_a_ranker_model_is_rolled_out_through_a_drafted_staged_rollout(admin_client, tmp_path, settings):
    from django.core.files.base import ContentFile

    from ranking.models import RankerModel

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    model = RankerModel(version="v-next", status="candidate")
    model.artifact.save("v-next.bin", ContentFile(b"model"), save=True)
    main = Layer.objects.get(name="main")
    assert "Roll out a ranker model" in admin_client.get(CHANGELIST).content.decode()

    response = admin_client.post(
        reverse("admin:experiments_experiment_rollout_model"), {"model": model.pk, "layer": main.pk}
    )

    experiment = Experiment.objects.get()
    assert response.url == reverse("admin:experiments_experiment_change", args=[experiment.pk])
    assert (experiment.kind, experiment.status, experiment.rollout_steps) == ("rollout", "draft", [0.01, 0.1, 0.5, 1.0])
    assert list(experiment.variants.values_list("name", "is_control", "ranker__version")) == [
        ("active", True, None),
        ("new-model", False, "v-next"),
    ]
