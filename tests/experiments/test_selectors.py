from collections import Counter

import pytest

from experiments.selectors import ArmSpec, RunningExperiment, running_experiment, variant_assign
from tests.factories import ExperimentFactory, MixPolicyFactory, VariantFactory


def experiment(salt="s1", **weights):
    return RunningExperiment(
        name="mix", salt=salt, arms=tuple(ArmSpec(name=n, weight=w, policy=None) for n, w in weights.items())
    )


def test_a_shopper_keeps_their_variant():
    running = experiment(a=1, b=1)

    first = [variant_assign(running, shopper).name for shopper in range(200)]
    again = [variant_assign(running, shopper).name for shopper in range(200)]

    assert first == again
    assert set(first) == {"a", "b"}


def test_shoppers_split_by_weight():
    running = experiment(control=3, treatment=1)

    split = Counter(variant_assign(running, shopper).name for shopper in range(20_000))

    assert split["control"] / 20_000 == pytest.approx(0.75, abs=0.015)
    assert split["treatment"] / 20_000 == pytest.approx(0.25, abs=0.015)


def test_another_salt_reshuffles_independently():
    one, other = experiment("s1", a=1, b=1), experiment("s2", a=1, b=1)

    same = sum(variant_assign(one, s).name == variant_assign(other, s).name for s in range(10_000))

    # independent halves agree half of the time
    assert same / 10_000 == pytest.approx(0.5, abs=0.02)


@pytest.mark.django_db
def test_running_experiment_reads_weighted_variants_with_their_policies_in_one_query(django_assert_num_queries):
    bold = MixPolicyFactory(name="bold")
    running = ExperimentFactory(name="mix-test", salt="pepper", status="running")
    VariantFactory(experiment=running, name="control", weight=2)
    VariantFactory(experiment=running, name="bold", weight=1, policy=bold)
    VariantFactory(experiment=running, name="paused", weight=0)
    VariantFactory(experiment=ExperimentFactory(status="draft"), name="other")

    with django_assert_num_queries(1):
        found = running_experiment()

    assert found == RunningExperiment(
        name="mix-test",
        salt="pepper",
        arms=(ArmSpec("control", 2, None), ArmSpec("bold", 1, "bold")),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "stopped"])
def test_no_running_experiment_when_none_is_running(status):
    VariantFactory(experiment=ExperimentFactory(status=status))

    assert running_experiment() is None
