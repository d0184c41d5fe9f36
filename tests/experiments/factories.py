"""Factories for mix policies and experiments (tests/factories.py has the other domains')."""

from __future__ import annotations

import factory

from experiments.models import Experiment, Variant
from ranking.models import MixPolicy


class MixPolicyFactory(factory.django.DjangoModelFactory[MixPolicy]):
    class Meta:
        model = MixPolicy

    name = factory.Sequence(lambda n: f"policy-{n}")


class ExperimentFactory(factory.django.DjangoModelFactory[Experiment]):
    """A draft experiment; pass ``status="running"`` for one that serves."""

    class Meta:
        model = Experiment

    name = factory.Sequence(lambda n: f"exp-{n}")
    salt = factory.Sequence(lambda n: f"salt-{n}")


class VariantFactory(factory.django.DjangoModelFactory[Variant]):
    class Meta:
        model = Variant

    experiment = factory.SubFactory(ExperimentFactory)
    name = factory.Sequence(lambda n: f"v{n}")
    weight = 1
