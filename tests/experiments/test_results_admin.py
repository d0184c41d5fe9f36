"""The results page in the admin, rendered by Django: who may open it, what its tables say, and the
links to it. (Its charts in a browser: ``tests/web/test_experiment_results.py``.)"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from experiments.models import Experiment
from experiments.results import compute
from feedsite.roles import Role, role_join
from tests.experiments.test_results import events, expose, make_experiment, orders, shoppers
from tests.factories import ContentItemFactory, UserFactory

pytestmark = pytest.mark.django_db


def results_url(experiment: Experiment) -> str:
    return reverse("admin:experiments_experiment_results", args=[experiment.pk])


@pytest.fixture
def marketer_client(client):
    user = UserFactory(username="marketer", is_staff=True)
    role_join(user=user, role=Role.MARKETERS)
    client.force_login(user)
    return client


@pytest.fixture
def finished():
    experiment, (control, treatment) = make_experiment(
        name="checkout-nudge",
        hypothesis="A nudge at the cart makes more shoppers order.",
        primary_metric="conversion",
        guardrail_metrics=["hide_rate"],
        min_sample=100,
        min_days=7,
    )
    c, t = shoppers(400), shoppers(400)
    expose(experiment, control, c)
    expose(experiment, treatment, t)
    orders(c[:40], "10.00")
    orders(t[:64], "10.00")
    item = ContentItemFactory()
    events(c + t, "impression", item=item, each=3)
    events(c[:4] + t[:3], "hide", item=item)
    return experiment


def test_a_marketer_reads_the_figures_in_tables_and_the_charts_data(marketer_client, finished):
    response = marketer_client.get(results_url(finished))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>Hypothesis:</strong> A nudge at the cart makes more shoppers order." in page
    assert "Split as designed: χ² 0.00, p 1.0000" in page
    assert f"figures as of {response.context['report']['computed_at'][:16].replace('T', ' ')} UTC" in page
    assert "400 shoppers in control, 400 in treatment" in page
    row = response.context["comparisons"][0]["rows"][0]
    assert (row["name"], row["control"], row["treatment"], row["lift"], row["verdict"]) == (
        "Conversion",
        "10.00 %",
        "16.00 %",
        "+60.0 %",
        "better",
    )
    assert f'<td class="num"><strong>{row["lift"]}</strong></td>' in page
    assert '<tr class="verdict-better">' in page
    assert "treatment: hide_rate holding" in page
    data = json.loads(page.split('<script id="results-data" type="application/json">')[1].split("</script>")[0])
    report = compute(finished)
    assert [m["lift"] for m in data["forest"][0]["metrics"]] == [m["lift"] for m in report["comparisons"][0]["metrics"]]
    assert [m["name"] for m in data["forest"][0]["metrics"]] == ["Conversion", "Hides and reports per impression"]
    # No snapshot yet: the page says so, and has no series to draw.
    assert data["timeline"]["times"] == []
    assert "No snapshots yet" in page


def test_before_the_minimum_sample_the_figures_are_greyed_without_a_verdict(marketer_client, finished):
    finished.min_sample = 1000
    finished.save()

    page = marketer_client.get(results_url(finished)).content.decode()

    assert "<strong>Too early:</strong>" in page
    assert '<table class="results-table results-metrics results-early">' in page
    assert '<td class="results-verdict">too early</td>' in page


def test_a_mismatched_split_shows_the_banner(marketer_client):
    experiment, (control, treatment) = make_experiment(name="skewed")
    expose(experiment, control, shoppers(600))
    expose(experiment, treatment, shoppers(400))

    page = marketer_client.get(results_url(experiment)).content.decode()

    assert '<p class="errornote results-srm" role="alert">Sample ratio mismatch:' in page


def test_an_interleaving_shows_the_preference(marketer_client):
    experiment, _ = make_experiment(name="duel", kind=Experiment.Kind.INTERLEAVE)

    page = marketer_client.get(results_url(experiment)).content.decode()

    assert "Interleaving: which ranker shoppers preferred" in page
    assert "Shoppers preferring A (control): – of 0 who preferred one" in page


@pytest.mark.parametrize(
    ("permissions", "status"),
    [([], 403), (["experiments.view_experiment"], 200), (["experiments.change_experiment"], 200)],
)
def test_whoever_may_view_experiments_may_open_it(client, finished, permissions, status):
    user = UserFactory(is_staff=True)
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    client.force_login(user)

    assert client.get(results_url(finished)).status_code == status


def test_strangers_are_sent_to_sign_in_and_an_unknown_experiment_is_not_found(marketer_client, finished):
    anonymous = Client().get(results_url(finished))

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")
    assert marketer_client.get(reverse("admin:experiments_experiment_results", args=[999_999])).status_code == 404


def test_the_list_and_the_change_form_link_to_the_results_of_a_started_experiment(marketer_client, finished):
    draft, _ = make_experiment(name="later", status="draft", started_at=None, stopped_at=None)

    listing = marketer_client.get(reverse("admin:experiments_experiment_changelist")).content.decode()
    change = marketer_client.get(reverse("admin:experiments_experiment_change", args=[finished.pk])).content.decode()
    draft_change = marketer_client.get(reverse("admin:experiments_experiment_change", args=[draft.pk])).content.decode()

    assert f'<a href="{results_url(finished)}">Results</a>' in listing
    assert results_url(draft) not in listing
    assert f'<li><a href="{results_url(finished)}">Results</a></li>' in change
    assert results_url(draft) not in draft_change
