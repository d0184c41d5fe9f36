"""``manage.py experiment_report NAME [--json]``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from experiments.models import ResultSnapshot
from experiments.results import compute
from tests.experiments.test_results import at, expose, make_experiment, orders, shoppers
from tests.factories import ExperimentFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("experiment_report", *args, stdout=out)
    return out.getvalue()


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
    return experiment


def test_the_table_says_what_the_results_page_shows(finished):
    out = run("checkout-nudge")
    report = compute(finished)
    conversion = report["comparisons"][0]["metrics"][0]

    lines = out.splitlines()
    assert lines[0] == "Experiment checkout-nudge (A/B test (variants by weight)): stopped"
    assert lines[1] == "Hypothesis: A nudge at the cart makes more shoppers order."
    assert lines[2].startswith("From 2025-04-01 00:00 to 2025-04-15 00:00 UTC (14.0 days); figures as of ")
    assert lines[3] == "Alpha 0.05; verdicts after 100 shoppers per variant and 7 days."
    assert "control    400      50.0 %           control" in lines
    assert "treatment  400      50.0 %" in lines
    assert "Split as designed: χ² 0.00, p 1.0000 (a mismatch is flagged below 0.001)." in out
    assert "treatment against control, until 2025-04-15 00:00 UTC" in out
    row = next(line for line in lines if line.startswith("conversion"))
    cells = row.split()
    assert cells[:4] == ["conversion", "primary", "400", "/"]
    assert cells[5:11] == ["10.00", "%", "16.00", "%", "+60.0", "%"]
    assert f"{conversion['p_value']:.4f}" in row
    assert row.endswith("better")
    assert "  treatment: hide_rate holding (lift –, sequential –)" in out


def test_json_prints_the_computed_report(finished):
    printed = json.loads(run("checkout-nudge", "--json"))

    expected = compute(finished)
    assert printed.keys() == expected.keys()
    assert {k: v for k, v in printed.items() if k != "computed_at"} == {
        k: v for k, v in expected.items() if k != "computed_at"
    }


def test_an_unknown_name_is_a_clear_error_naming_the_experiments_there_are(finished):
    ExperimentFactory(name="another-one")

    with pytest.raises(CommandError) as refused:
        run("no-such-test")

    assert str(refused.value) == "No experiment is named 'no-such-test'. Known: another-one, checkout-nudge."


def test_a_mismatched_split_is_printed_as_a_warning():
    experiment, (control, treatment) = make_experiment(name="skewed")
    expose(experiment, control, shoppers(600))
    expose(experiment, treatment, shoppers(400))

    out = run("skewed")

    assert "!! Sample ratio mismatch: the split of exposed shoppers is not what the weights call for" in out


def test_a_draft_has_nothing_to_report_yet():
    make_experiment(name="later", status="draft", started_at=None, stopped_at=None)

    assert run("later").splitlines()[1:] == ["Not started: nothing to report yet."]


def test_the_sequential_interval_is_wider_than_the_fixed_one(finished):
    report = compute(finished, now=at(20))
    row = report["comparisons"][0]["metrics"][0]

    assert row["seq_low"] < row["lift_low"] < row["lift"] < row["lift_high"] < row["seq_high"]


def test_a_final_snapshot_is_printed_unless_fresh_figures_are_asked_for(finished):
    ResultSnapshot.objects.create(experiment=finished, computed_at=at(14), report=compute(finished, now=at(14)))
    ResultSnapshot.objects.filter(experiment=finished).update(report={**compute(finished), "computed_at": "stored"})

    assert json.loads(run("checkout-nudge", "--json"))["computed_at"] == "stored"
    assert json.loads(run("checkout-nudge", "--json", "--fresh"))["computed_at"] != "stored"
