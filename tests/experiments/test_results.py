"""An experiment's results: exposures and the sample-ratio check, each metric against the control,
the correction across metrics, verdicts and guardrails, the snapshots over time.

Expected figures are worked out here from the textbook formulas with ``math`` (χ² with one degree of
freedom: P(X > x) = erfc(√(x/2)); the pooled two-proportion z; Holm's step-down by hand), not with
the functions the results call.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from content.models import ContentItem
from experiments.models import Experiment, Exposure, ResultSnapshot
from experiments.results import compute, current, record, timeline
from experiments.results.report import BETTER, NO_DIFFERENCE, TOO_EARLY, WORSE
from profiles.events.models import Interaction
from profiles.models import Shopper
from profiles.shop.models import Order
from tests.factories import ContentItemFactory, ExperimentFactory, VariantFactory

pytestmark = pytest.mark.django_db
START = datetime.fromisoformat("2025-04-01T00:00:00+00:00")


def at(days: float) -> datetime:
    return START + timedelta(days=days)


def make_experiment(*, weights=(1, 1), kind=Experiment.Kind.AB, **fields) -> tuple[Experiment, list]:
    fields = {"status": Experiment.Status.STOPPED, "started_at": START, "stopped_at": at(14)} | fields
    experiment = ExperimentFactory(kind=kind, **fields)
    names = ["control", "treatment", "other"][: len(weights)]
    variants = [
        VariantFactory(experiment=experiment, name=name, weight=weight, is_control=index == 0)
        for index, (name, weight) in enumerate(zip(names, weights, strict=True))
    ]
    return experiment, variants


def shoppers(n: int) -> list[Shopper]:
    return Shopper.objects.bulk_create(Shopper() for _ in range(n))


def expose(experiment, variant, people, *, days: float = 0.5, step: int = 0) -> None:
    Exposure.objects.bulk_create(
        Exposure(experiment=experiment, variant=variant, shopper=s, first_at=at(days), rollout_step=step)
        for s in people
    )


_events = iter(range(10**9))


def events(people, kind: str, *, days: float = 1.0, item: ContentItem, each: int = 1, **fields) -> None:
    Interaction.objects.bulk_create(
        Interaction(event_id=f"r-{next(_events)}", shopper=s, content=item, type=kind, occurred_at=at(days), **fields)
        for s in people
        for _ in range(each)
    )


def orders(people, total: str, *, days: float = 2.0) -> None:
    placed = Order.objects.bulk_create(
        Order(
            number=f"T-{next(_events)}",
            shopper=s,
            currency="EUR",
            total=Decimal(total),
            shipping_name="A",
            shipping_address="B",
            payment_reference="SIM",
        )
        for s in people
    )
    Order.objects.filter(pk__in=[o.pk for o in placed]).update(created_at=at(days))


def chi2_one_df_p(x: float) -> float:
    return math.erfc(math.sqrt(x / 2))


def metric_row(report, name: str, variant: str = "treatment") -> dict:
    read = next(c for c in report["comparisons"] if c["variant"] == variant)
    return next(m for m in read["metrics"] if m["metric"] == name)


@pytest.fixture
def item():
    return ContentItemFactory(kind=ContentItem.Kind.IMAGE)


def test_exposures_and_a_fair_split_are_reported_without_a_flag():
    experiment, (control, treatment) = make_experiment(weights=(1, 1))
    expose(experiment, control, shoppers(510))
    expose(experiment, treatment, shoppers(490))

    report = compute(experiment, now=at(20))

    assert [(v["name"], v["exposed"], v["expected_share"]) for v in report["variants"]] == [
        ("control", 510, 0.5),
        ("treatment", 490, 0.5),
    ]
    chi2 = (510 - 500) ** 2 / 500 + (490 - 500) ** 2 / 500
    assert report["srm"]["observed"] == [510, 490]
    assert report["srm"]["expected"] == [500.0, 500.0]
    assert report["srm"]["chi2"] == pytest.approx(chi2)
    assert report["srm"]["p_value"] == pytest.approx(chi2_one_df_p(chi2))
    assert report["srm"]["flagged"] is False


def test_a_split_far_from_the_weights_is_flagged():
    experiment, (control, treatment) = make_experiment(weights=(3, 1))
    expose(experiment, control, shoppers(700))
    expose(experiment, treatment, shoppers(300))

    srm = compute(experiment, now=at(20))["srm"]

    chi2 = (700 - 750) ** 2 / 750 + (300 - 250) ** 2 / 250
    assert srm["expected"] == [750.0, 250.0]
    assert srm["chi2"] == pytest.approx(chi2)
    assert srm["p_value"] == pytest.approx(chi2_one_df_p(chi2))
    assert srm["p_value"] < 0.001
    assert srm["flagged"] is True


def test_a_rollout_is_checked_within_its_current_step_against_the_steps_share():
    experiment, (control, treatment) = make_experiment(
        kind=Experiment.Kind.ROLLOUT, rollout_steps=[0.01, 0.1, 0.5, 1.0], rollout_step=1
    )
    # Step 0 (1 % treated) would look badly skewed against step 1's share; it is not compared.
    expose(experiment, control, shoppers(300), step=0)
    expose(experiment, treatment, shoppers(3), step=0)
    expose(experiment, control, shoppers(905), step=1)
    expose(experiment, treatment, shoppers(95), step=1)

    report = compute(experiment, now=at(20))

    chi2 = (905 - 900) ** 2 / 900 + (95 - 100) ** 2 / 100
    assert report["srm"]["rollout_step"] == 1
    assert report["srm"]["observed"] == [905, 95]
    assert report["srm"]["expected"] == pytest.approx([900.0, 100.0])
    assert report["srm"]["p_value"] == pytest.approx(chi2_one_df_p(chi2))
    assert report["srm"]["flagged"] is False
    assert [v["exposed"] for v in report["variants"]] == [1205, 98]


def test_a_proportion_metric_is_the_pooled_z_test_of_the_shoppers_who_did_it(item):
    experiment, (control, treatment) = make_experiment(primary_metric="conversion", min_sample=1, min_days=1)
    c, t = shoppers(400), shoppers(400)
    expose(experiment, control, c)
    expose(experiment, treatment, t)
    orders(c[:40], "10.00")
    orders(t[:64], "10.00")

    row = metric_row(compute(experiment, now=at(20)), "conversion")

    p_c, p_t, pooled = 40 / 400, 64 / 400, 104 / 800
    z = (p_t - p_c) / math.sqrt(pooled * (1 - pooled) * (2 / 400))
    assert (row["control"], row["treatment"]) == (p_c, p_t)
    assert row["lift"] == pytest.approx(p_t / p_c - 1)
    assert row["p_value"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert row["p_adjusted"] == pytest.approx(row["p_value"])  # the only metric read
    assert row["verdict"] == BETTER
    assert row["lift_low"] < row["lift"] < row["lift_high"]
    assert row["seq_low"] < row["lift_low"]
    assert row["seq_high"] > row["lift_high"]
    assert row["cuped"] is None


def test_a_ratio_metric_divides_the_arms_sums_and_an_increase_of_a_bad_metric_is_worse(item):
    experiment, (control, treatment) = make_experiment(primary_metric="hide_rate", min_sample=1, min_days=1)
    c, t = shoppers(300), shoppers(300)
    expose(experiment, control, c)
    expose(experiment, treatment, t)
    events(c + t, "impression", item=item, each=10)
    events(c[::10], "hide", item=item)  # 30 hides in 3,000 impressions
    events(t[::3], "hide", item=item)  # 100 hides in 3,000 impressions

    row = metric_row(compute(experiment, now=at(20)), "hide_rate")

    assert row["kind"] == "ratio"
    assert row["control"] == pytest.approx(30 / 3000)
    assert row["treatment"] == pytest.approx(100 / 3000)
    assert row["lift"] == pytest.approx(100 / 30 - 1)
    assert row["higher_is_better"] is False
    assert row["verdict"] == WORSE


def test_mean_metrics_use_the_pre_experiment_values_and_say_how_much_variance_cuped_removed(item):
    experiment, (control, treatment) = make_experiment(primary_metric="time_in_feed", min_sample=1, min_days=1)
    rng = np.random.default_rng(3)
    c, t = shoppers(200), shoppers(200)
    expose(experiment, control, c)
    expose(experiment, treatment, t)
    for person in c + t:
        habit = int(rng.integers(1_000, 60_000))
        events([person], "view", days=-3, item=item, dwell_ms=habit)
        events([person], "view", days=2, item=item, dwell_ms=habit + int(rng.integers(0, 5_000)))

    row = metric_row(compute(experiment, now=at(20)), "time_in_feed")

    assert row["kind"] == "mean"
    assert row["cuped"] is not None
    assert row["cuped"] > 0.9  # the post period is the pre period plus a little noise


def test_p_values_are_adjusted_by_holm_across_the_metrics_read(item):
    experiment, (control, treatment) = make_experiment(
        primary_metric="click_through",
        secondary_metrics=["add_to_cart", "conversion"],
        guardrail_metrics=["hide_rate", "click_through"],
        min_sample=1,
        min_days=1,
    )
    c, t = shoppers(300), shoppers(300)
    expose(experiment, control, c)
    expose(experiment, treatment, t)
    events(c + t, "impression", item=item, each=5)
    events(c[:30], "open", item=item)
    events(t[:45], "open", item=item)
    events(c[:20], "add_to_cart", item=item)
    events(t[:24], "add_to_cart", item=item)
    orders(c[:10], "5.00")
    orders(t[:11], "5.00")
    events(c[:5], "hide", item=item)
    events(t[:6], "hide", item=item)

    rows = next(iter(compute(experiment, now=at(20))["comparisons"]))["metrics"]

    # Each metric once, the primary first; a guardrail named again as a secondary keeps its first role.
    assert [(r["metric"], r["role"]) for r in rows] == [
        ("click_through", "primary"),
        ("add_to_cart", "secondary"),
        ("conversion", "secondary"),
        ("hide_rate", "guardrail"),
    ]
    raw = [r["p_value"] for r in rows]
    order = sorted(range(len(raw)), key=lambda i: raw[i])
    holm, running = [0.0] * len(raw), 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(raw) - rank) * raw[index]))
        holm[index] = running
    assert [r["p_adjusted"] for r in rows] == pytest.approx(holm)


def test_no_verdict_before_the_minimum_sample_and_duration(item):
    experiment, (control, treatment) = make_experiment(primary_metric="conversion", min_sample=500, min_days=7)
    c, t = shoppers(400), shoppers(400)
    expose(experiment, control, c)
    expose(experiment, treatment, t)
    orders(t[:100], "10.00")
    orders(c[:10], "10.00")

    early = compute(experiment, now=at(20))  # 400 shoppers per arm, 500 wanted
    experiment.min_sample = 400
    too_short = compute(experiment, now=at(6))  # six days, seven wanted
    ready = compute(experiment, now=at(20))

    assert metric_row(early, "conversion")["verdict"] == TOO_EARLY
    assert metric_row(early, "conversion")["p_value"] < 1e-6  # the figures are there all the same
    assert metric_row(too_short, "conversion")["verdict"] == TOO_EARLY
    assert early["comparisons"][0]["ready"] is False
    assert metric_row(ready, "conversion")["verdict"] == BETTER
    assert ready["comparisons"][0]["ready"] is True


def test_no_difference_when_the_adjusted_p_value_is_not_below_alpha(item):
    experiment, (control, treatment) = make_experiment(primary_metric="conversion", min_sample=1, min_days=1)
    c, t = shoppers(200), shoppers(200)
    expose(experiment, control, c)
    expose(experiment, treatment, t)
    orders(c[:20], "10.00")
    orders(t[:22], "10.00")

    row = metric_row(compute(experiment, now=at(20)), "conversion")

    assert row["p_adjusted"] > 0.05
    assert row["verdict"] == NO_DIFFERENCE


def test_a_guardrail_is_breached_when_its_sequential_interval_is_wholly_on_the_bad_side(item):
    experiment, (control, treatment) = make_experiment(
        primary_metric="click_through", guardrail_metrics=["hide_rate", "skip_rate"], min_sample=300, min_days=30
    )
    c, t = shoppers(300), shoppers(300)
    expose(experiment, control, c)
    expose(experiment, treatment, t)
    events(c + t, "impression", item=item, each=10)
    events(c[::10], "hide", item=item)
    events(t[::2], "hide", item=item)
    events(c[::10], "skip", item=item)
    events(t[::9], "skip", item=item)

    report = compute(experiment, now=at(20))

    guards = {g["metric"]: g for g in report["guardrails"]}
    assert set(guards) == {"hide_rate", "skip_rate"}
    hide = guards["hide_rate"]
    assert hide["variant"] == "treatment"
    assert hide["breached"] is True
    assert hide["seq_low"] > 0
    assert hide["lift"] == pytest.approx(150 / 30 - 1)
    assert guards["skip_rate"]["breached"] is False
    assert guards["skip_rate"]["seq_low"] < 0 < guards["skip_rate"]["seq_high"]
    # Breaches are judged before min_days (the sequential interval may be read at any time) ...
    assert metric_row(report, "hide_rate")["verdict"] == TOO_EARLY
    # ... but not below min_sample shoppers per arm.
    experiment.min_sample = 301
    assert {g["metric"]: g["breached"] for g in compute(experiment, now=at(20))["guardrails"]} == {
        "hide_rate": False,
        "skip_rate": False,
    }


def test_a_stopped_treatment_is_read_as_it_stood_when_it_stopped(item):
    experiment, (control, treatment, other) = make_experiment(weights=(1, 1, 1), primary_metric="click_through")
    treatment.stopped_at = at(5)
    treatment.stop_reason = "guardrail hide_rate breached"
    treatment.save()
    c, t, o = shoppers(50), shoppers(50), shoppers(50)
    expose(experiment, control, c)
    expose(experiment, treatment, t)
    expose(experiment, other, o)
    # Exposed after the stop: out of the stopped treatment's reading and of the split check.
    expose(experiment, control, shoppers(40), days=6)
    events(c + t + o, "impression", item=item, days=2)
    events(c + t + o, "impression", item=item, days=8)

    report = compute(experiment, now=at(20))

    stopped = next(r for r in report["comparisons"] if r["variant"] == "treatment")
    running = next(r for r in report["comparisons"] if r["variant"] == "other")
    assert stopped["until"] == at(5).isoformat()
    assert stopped["stopped"] is True
    assert metric_row(report, "click_through")["n_control"] == 50
    assert metric_row(report, "click_through")["control"] == 0.0
    assert running["until"] == at(14).isoformat()
    assert next(m for m in running["metrics"] if m["metric"] == "click_through")["n_control"] == 90
    assert report["srm"]["observed"] == [50, 50, 50]
    assert report["variants"][1]["stop_reason"] == "guardrail hide_rate breached"


def test_the_report_is_json_and_a_draft_reports_nothing_to_compare():
    draft, _ = make_experiment(status=Experiment.Status.DRAFT, started_at=None, stopped_at=None)

    report = compute(draft, now=at(1))

    assert report["comparisons"] == []
    assert report["srm"] is None
    assert [v["exposed"] for v in report["variants"]] == [0, 0]
    json.dumps(report, allow_nan=False)


def test_an_arm_without_shoppers_gives_undefined_figures_not_an_error():
    experiment, (control, _) = make_experiment(primary_metric="click_through", secondary_metrics=["revenue"])
    expose(experiment, control, shoppers(5))

    report = compute(experiment, now=at(20))

    row = metric_row(report, "click_through")
    assert row["n_treatment"] == 0
    assert row["lift"] is None
    assert row["p_value"] is None
    json.dumps(report, allow_nan=False)


def test_snapshots_give_exposures_and_the_primary_lift_over_time(item):
    experiment, (control, treatment) = make_experiment(primary_metric="click_through", stopped_at=None)
    experiment.status = Experiment.Status.RUNNING
    c, t = shoppers(100), shoppers(100)
    expose(experiment, control, c[:50], days=0.5)
    expose(experiment, treatment, t[:50], days=0.5)
    expose(experiment, control, c[50:], days=2.5)
    expose(experiment, treatment, t[50:], days=2.5)
    events(c + t, "impression", item=item, days=3, each=4)
    events(c[:20], "open", item=item, days=1)
    events(t[:30], "open", item=item, days=1)

    for day in (1, 2, 4):
        record(experiment, now=at(day))
    series = timeline(experiment)

    assert ResultSnapshot.objects.filter(experiment=experiment).count() == 3
    assert series["times"] == [at(1).isoformat(), at(2).isoformat(), at(4).isoformat()]
    assert series["metric"] == "click_through"
    assert series["exposures"] == {"control": [50, 50, 100], "treatment": [50, 50, 100]}
    lift = series["lift"]["treatment"]
    # No impressions before day 3: the click-through's control is zero and its lift undefined.
    assert lift["lift"][:2] == [None, None]
    assert lift["lift"][2] == pytest.approx(30 / 20 - 1)
    assert lift["seq_low"][2] < lift["low"][2] < lift["lift"][2] < lift["high"][2] < lift["seq_high"][2]


def test_the_page_shows_a_recent_or_final_snapshot_and_computes_otherwise(item):
    experiment, (control, _) = make_experiment(stopped_at=None, status=Experiment.Status.RUNNING)
    expose(experiment, control, shoppers(3))
    ResultSnapshot.objects.create(experiment=experiment, computed_at=at(2), report={"from": "the snapshot"})

    recent = current(experiment, now=at(2) + timedelta(minutes=10))
    stale = current(experiment, now=at(3))
    experiment.status, experiment.stopped_at = Experiment.Status.STOPPED, at(2)
    final = current(experiment, now=at(30))

    assert recent == {"from": "the snapshot"}
    assert stale["computed_at"] == at(3).isoformat()
    assert [v["exposed"] for v in stale["variants"]] == [3, 0]
    assert final == {"from": "the snapshot"}
