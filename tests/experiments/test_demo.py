"""The demo experiment: simulated traffic with known true lifts, its results over 14 days, and
``seed_demo`` ending with it (through ``profiles.signals.demo_seeded``)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from content.models import ContentItem
from experiments import demo
from experiments.models import Experiment, Exposure, ResultSnapshot
from experiments.segments.models import Segment, SegmentRun
from profiles import signals
from profiles.events.models import Interaction
from profiles.models import Shopper
from profiles.shop.models import Order
from tests.factories import ContentItemFactory, ProductFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def catalogue():
    """Sixty published posts, a third of them videos, each showing a product, all older than the demo."""
    published = NOW - timedelta(days=40)
    return [
        ContentItemFactory(
            kind=ContentItem.Kind.VIDEO if n % 3 == 0 else ContentItem.Kind.IMAGE,
            published_at=published + timedelta(minutes=n),
            products=[ProductFactory()],
        )
        for n in range(60)
    ]


def metric(report: dict, name: str) -> dict:
    return next(m for m in report["comparisons"][0]["metrics"] if m["metric"] == name)


def test_the_demo_is_a_finished_experiment_whose_intervals_cover_the_true_lifts(catalogue):
    made = demo.seed_demo_experiment(seed=7, now=NOW)

    assert made is not None
    experiment = Experiment.objects.get(name=demo.NAME)
    assert experiment.status == Experiment.Status.STOPPED
    assert experiment.stopped_at - experiment.started_at == timedelta(days=14)
    assert "click-through +15 %" in experiment.description
    assert Exposure.objects.filter(experiment=experiment).count() == made.shoppers == demo.SHOPPERS
    assert Interaction.objects.filter(shopper__external_id__startswith=demo.PREFIX).count() == made.interactions
    snapshots = list(ResultSnapshot.objects.filter(experiment=experiment).order_by("computed_at"))
    assert [s.computed_at for s in snapshots] == [experiment.started_at + timedelta(days=d) for d in range(1, 15)]
    final = snapshots[-1].report
    assert final["status"] == "stopped"
    assert snapshots[0].report["status"] == "running"
    assert final["srm"]["flagged"] is False
    assert sum(v["exposed"] for v in final["variants"]) == demo.SHOPPERS
    # The primary metric: computed, significant after the correction, and its interval holds the truth.
    primary = metric(final, "click_through")
    assert primary["lift_low"] <= demo.TRUE_LIFT["click_through"] <= primary["lift_high"]
    assert primary["seq_low"] <= demo.TRUE_LIFT["click_through"] <= primary["seq_high"]
    assert primary["verdict"] == "better"
    # Each 95 % interval covers its true lift 19 times in 20: of six, two or more missing would
    # happen about 3 times in 100 (with this seed and these posts, one misses: time in feed).
    missed = [
        name
        for name, truth in demo.TRUE_LIFT.items()
        if not metric(final, name)["lift_low"] <= truth <= metric(final, name)["lift_high"]
    ]
    assert len(missed) <= 1, missed
    # The pre-experiment period predicts the experiment's time in feed: CUPED removes variance.
    assert metric(final, "time_in_feed")["cuped"] > 0.1
    assert not any(guard["breached"] for guard in final["guardrails"])
    # Over the days the treatment's exposures only grow.
    exposed = [s.report["variants"][1]["exposed"] for s in snapshots]
    assert exposed == sorted(exposed)
    assert exposed[0] > 0


def test_the_same_seed_makes_the_same_traffic(catalogue):
    def run() -> tuple:
        made = demo.seed_demo_experiment(seed=3, scale=0.1, now=NOW)
        assert made is not None
        rows = (
            # Compared as a multiset: event ids carry shopper ids, which differ from run to run.
            sorted(Interaction.objects.values_list("type", "occurred_at", "dwell_ms", "value"), key=str),
            sorted(Order.objects.values_list("total", "created_at")),
        )
        Experiment.objects.filter(name=demo.NAME).delete()
        Shopper.objects.filter(external_id__startswith=demo.PREFIX).delete()
        return rows

    first = run()

    assert len(first[0]) > 1000
    assert run() == first


def test_nothing_is_seeded_without_published_posts_or_twice(catalogue):
    assert demo.seed_demo_experiment(seed=7, scale=0.1, now=NOW) is not None
    before = Interaction.objects.count()

    assert demo.seed_demo_experiment(seed=7, scale=0.1, now=NOW) is None
    assert Interaction.objects.count() == before
    assert Experiment.objects.filter(name=demo.NAME).count() == 1


def test_without_published_posts_there_is_no_demo_experiment():
    ContentItemFactory(status=ContentItem.Status.PENDING, published_at=None)

    assert demo.seed_demo_experiment(scale=0.1, now=NOW) is None
    assert not Experiment.objects.exists()


def test_the_demo_seeded_signal_is_answered_with_what_was_made_and_the_segments_computed(catalogue):
    answers = signals.demo_seeded.send(sender=None, seed=7, scale=0.1)

    lines = [line for receiver, line in answers if receiver is demo.on_demo_seeded]
    runs = {run.kind: run.shoppers for run in SegmentRun.objects.all()}
    assert lines == [
        f"experiment {demo.NAME}: 200 simulated shoppers, {Interaction.objects.count()} events, "
        f"{Order.objects.count()} orders, 14 daily results (true click-through lift +15 %); "
        f"segments: rfm over {runs['rfm']} shoppers, behaviour over {runs['behaviour']} shoppers"
    ]
    assert runs["rfm"] >= 200
    assert Segment.objects.filter(kind="rfm", size__gt=0).exists()


def test_seed_demo_ends_with_the_demo_experiment(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/media/"},
        },
    }
    out = io.StringIO()

    call_command("seed_demo", "--scale", "0.02", stdout=out)

    assert f"  experiment {demo.NAME}: 200 simulated shoppers" in out.getvalue()
    assert ResultSnapshot.objects.filter(experiment__name=demo.NAME).count() == 14
