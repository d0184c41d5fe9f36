"""Who is in which variant: uniform, sticky, layers exclusive, holdout, rollout steps, audiences."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from experiments.assignment import Arm, Plan, Running, assigned, bucket, running_plan, treatment_of
from experiments.models import BUCKETS, Experiment, Holdout, Layer
from experiments.segments.models import Segment, SegmentMember
from experiments.services import experiment_start, variant_stop
from profiles.models import Shopper
from ranking.treatment import DEFAULT, Treatment
from tests.factories import ExperimentFactory, MixPolicyFactory, ShopperFactory, VariantFactory

IDS = range(1, 100_001)


def arm(n: int, name: str, weight: int = 1, *, control: bool = False) -> Arm:
    return Arm(n, name, weight, control, False, Treatment(labels=(f"x/{name}",)))


def running(
    n: int, *, layer="l1", buckets=(0, BUCKETS), arms=(), kind="ab", share=1.0, audience="all", started=None
) -> Running:
    return Running(n, f"x{n}", kind, f"salt-{n}", layer, buckets, audience, None, started, 0, share, tuple(arms))


def shopper(pk: int) -> Shopper:
    return Shopper(pk=pk, created_at=timezone.now())


def test_four_equal_variants_split_100000_ids_within_one_percent():
    experiment = running(1, arms=[arm(i, f"v{i}") for i in range(4)])

    split = Counter(experiment.arm_for(unit).name for unit in IDS)

    assert {name: round(count / len(IDS), 2) for name, count in split.items()} == dict.fromkeys(
        ["v0", "v1", "v2", "v3"], 0.25
    )
    assert max(abs(count / len(IDS) - 0.25) for count in split.values()) < 0.01


def test_layer_buckets_are_uniform_within_one_percent():
    tenths = Counter(bucket("layer-salt", unit, BUCKETS) * 10 // BUCKETS for unit in IDS)

    assert sorted(tenths) == list(range(10))
    assert max(abs(count / len(IDS) - 0.1) for count in tenths.values()) < 0.01


def test_a_shopper_keeps_their_variant():
    experiment = running(1, arms=[arm(1, "a"), arm(2, "b")])

    first = [experiment.arm_for(unit).name for unit in range(2000)]

    assert first == [experiment.arm_for(unit).name for unit in range(2000)]
    assert set(first) == {"a", "b"}


def test_experiments_in_one_layer_never_share_a_shopper_and_other_layers_overlap_independently():
    half = [arm(1, "a"), arm(2, "b")]
    plan = Plan(
        0.0,
        "",
        (
            running(1, layer="mix", buckets=(0, 5000), arms=half),
            running(2, layer="mix", buckets=(5000, 10_000), arms=half),
            running(3, layer="ranker", buckets=(0, 5000), arms=half),
        ),
    )

    memberships = [
        frozenset(a.experiment.id for a in assigned(plan, shopper(unit), units={})) for unit in range(20_000)
    ]

    count = Counter(memberships)
    assert not any({1, 2} <= m for m in memberships)
    assert sum(1 in m for m in memberships) / 20_000 == pytest.approx(0.5, abs=0.015)
    # Independent layers: a quarter of shoppers are in experiment 1 and 3.
    assert count[frozenset({1, 3})] / 20_000 == pytest.approx(0.25, abs=0.015)


def test_the_global_holdout_keeps_its_share_out_of_every_experiment():
    plan = Plan(0.1, "hold", (running(1, arms=[arm(1, "a"), arm(2, "b")]),))

    outside = [unit for unit in range(20_000) if not assigned(plan, shopper(unit), units={})]

    assert len(outside) / 20_000 == pytest.approx(0.1, abs=0.01)
    assert all(plan.in_holdout(unit) for unit in outside)


def test_a_rollout_step_keeps_every_shopper_it_treated_at_the_step_before():
    arms = [arm(1, "control", control=True), arm(2, "new")]
    treated = {
        share: {u for u in range(20_000) if running(1, kind="rollout", share=share, arms=arms).arm_for(u).name == "new"}
        for share in (0.01, 0.1, 0.5, 1.0)
    }

    assert treated[0.01] <= treated[0.1] <= treated[0.5] <= treated[1.0] == set(range(20_000))
    assert [round(len(treated[s]) / 20_000, 2) for s in (0.01, 0.1, 0.5)] == [0.01, 0.1, 0.5]


def test_new_shopper_audience_takes_only_shoppers_first_seen_after_the_start():
    started = timezone.now()
    plan = Plan(0.0, "", (running(1, arms=[arm(1, "a")], audience="new", started=started),))
    old = Shopper(pk=1, created_at=started - timedelta(seconds=1))
    new = Shopper(pk=2, created_at=started + timedelta(seconds=1))

    assert (assigned(plan, old, units={}), len(assigned(plan, new, units={}))) == ([], 1)


@pytest.mark.django_db
def test_a_segment_audience_takes_its_members_only():
    segment = Segment.objects.create(kind="rfm", key="champions", name="Champions")
    member, other = ShopperFactory(), ShopperFactory()
    SegmentMember.objects.create(segment=segment, shopper=member)
    experiment = ExperimentFactory(audience="segment", segment=segment)
    VariantFactory(experiment=experiment, name="control", is_control=True)
    VariantFactory(experiment=experiment, name="bold", policy=MixPolicyFactory())
    experiment_start(experiment=experiment)
    plan = running_plan()

    assert [len(assigned(plan, s)) for s in (member, other)] == [1, 0]


@pytest.mark.django_db
def test_a_running_plan_gives_each_variant_its_treatment_and_a_stopped_variant_the_defaults(
    django_assert_num_queries,
):
    bold = MixPolicyFactory(name="bold")
    experiment = ExperimentFactory(name="mix")
    VariantFactory(experiment=experiment, name="control", is_control=True)
    VariantFactory(
        experiment=experiment, name="bold", policy=bold, source_weights={"popular": 0.5}, switches_off=["intent"]
    )
    experiment_start(experiment=experiment)
    shoppers = ShopperFactory.create_batch(40)
    with django_assert_num_queries(3):  # holdout, experiments, their variants (and what they serve)
        plan = running_plan()

    served = {s.pk: treatment_of(plan, s) for s in shoppers}

    assert set(served.values()) == {
        Treatment(labels=("mix/control",)),
        Treatment(
            policy="bold", source_weights=(("popular", 0.5),), switches_off=frozenset({"intent"}), labels=("mix/bold",)
        ),
    }
    variant_stop(variant=experiment.variants.get(name="bold"), reason="guardrail")
    after = running_plan()
    assert all(treatment_of(after, s) == DEFAULT for s in shoppers if served[s.pk].labels == ("mix/bold",))


@pytest.mark.django_db
def test_the_holdout_row_made_by_the_migrations_reaches_the_plan():
    holdout = Holdout.objects.get()  # one row, holding no one until a marketer sets its share
    assert holdout.share == 0.0
    Holdout.objects.update(share=0.05, salt="h")

    plan = running_plan()

    assert (plan.holdout_share, plan.holdout_salt, plan.experiments) == (0.05, "h", ())
    assert Layer.objects.filter(name="main").exists()
    assert Experiment.objects.count() == 0
