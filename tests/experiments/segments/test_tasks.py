"""The recomputation, through the real Celery task function: ids kept, members replaced, used segments kept."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

from experiments.segments import tasks
from experiments.segments.compute import Computed, ComputedSegment
from experiments.segments.models import Segment, SegmentKind, SegmentMember, SegmentRun
from experiments.segments.services import segments_store
from tests.experiments.segments.conftest import AS_OF, active_shopper, days_before
from tests.factories import ContentItemFactory, ExperimentFactory, InteractionFactory, ShopperFactory, TagFactory

pytestmark = pytest.mark.django_db


def _shop(item):
    """Ten shoppers spread over the RFM groups, and behaviour in two categories."""
    skincare = TagFactory(slug="skincare", name="Skincare", kind="category")
    fashion = TagFactory(slug="fashion", name="Fashion", kind="category")
    serum, dress = ContentItemFactory(tags=[skincare]), ContentItemFactory(tags=[fashion])
    shoppers = []
    for n in range(10):
        shopper = active_shopper(item, recency_days=1 + 10 * n, active_days=1 + n % 4, spend=20.0 * (n % 3))
        liked = serum if n % 2 else dress
        for day in range(3):
            InteractionFactory(shopper=shopper, content=liked, type="like", occurred_at=days_before(day + 1))
        shoppers.append(shopper)
    return shoppers


def _members():
    return sorted(SegmentMember.objects.values_list("segment__kind", "segment__key", "shopper_id"))


def _run(kinds=None):
    with mock.patch("experiments.segments.services.activity_as_of", return_value=AS_OF):
        return tasks.recompute(kinds)


def test_the_task_computes_both_kinds_and_keeps_ids_across_runs(item):
    shoppers = _shop(item)

    first = _run()
    ids = dict(Segment.objects.values_list("key", "pk"))
    members = _members()
    second = _run()

    assert set(first) == {"rfm", "behaviour"}
    assert first["rfm"]["shoppers"] == 10
    assert first["behaviour"]["shoppers"] == 10
    assert dict(Segment.objects.values_list("key", "pk")) == ids
    assert _members() == members  # replaced by the same, not added twice
    assert SegmentMember.objects.filter(segment__kind="rfm").count() == 10
    assert SegmentMember.objects.filter(segment__kind="behaviour").count() == 10
    assert sorted(Segment.objects.filter(kind="behaviour").values_list("key", flat=True)) == ["fashion", "skincare"]
    assert SegmentRun.objects.count() == 4
    assert second["rfm"]["run"] != first["rfm"]["run"]
    for segment in Segment.objects.all():
        assert segment.size == SegmentMember.objects.filter(segment=segment).count()
    rfm = SegmentRun.objects.filter(kind="rfm").first()
    assert [test["name"] for test in rfm.summary["tests"]] == [
        "Days since last active",
        "Active days",
        "Spend (buyers' groups)",
        "Clicked or carted a product, by segment",
    ]
    assert {m[2] for m in members} == {s.pk for s in shoppers}


def test_a_shopper_who_changes_group_moves_and_the_rest_stay(item):
    _shop(item)
    _run([SegmentKind.RFM])
    lapsed = ShopperFactory()
    InteractionFactory(shopper=lapsed, content=item, occurred_at=days_before(170))
    _run([SegmentKind.RFM])
    before = Segment.objects.get(kind="rfm", members__shopper=lapsed).key

    InteractionFactory(shopper=lapsed, content=item, occurred_at=days_before(0.1))
    _run([SegmentKind.RFM])

    assert before == "lapsed-browsers"
    assert Segment.objects.get(kind="rfm", members__shopper=lapsed).key == "browsers"
    assert SegmentMember.objects.filter(shopper=lapsed).count() == 1


def _computed(keys):
    return Computed(
        kind=SegmentKind.BEHAVIOUR,
        as_of=AS_OF,
        shoppers=0,
        segments=[
            ComputedSegment(
                key=key, name=key.title(), description="", figures={"size": 0}, members=np.zeros(0, np.int64)
            )
            for key in keys
        ],
    )


def test_a_group_that_is_gone_is_deleted_unless_an_experiment_uses_it():
    segments_store(computed=_computed(["skincare", "fashion", "hair"]))
    used = Segment.objects.get(key="fashion")
    ExperimentFactory(audience="segment", segment=used)
    shopper = ShopperFactory()
    SegmentMember.objects.create(segment=used, shopper=shopper)

    segments_store(computed=_computed(["skincare"]))

    assert sorted(Segment.objects.values_list("key", flat=True)) == ["fashion", "skincare"]
    used.refresh_from_db()
    assert (used.size, used.figures, used.members.count()) == (0, {}, 0)
    assert used.description.startswith("Empty")


def test_a_failed_store_changes_nothing(item):
    _shop(item)
    _run()
    members, runs = _members(), SegmentRun.objects.count()

    with (
        mock.patch.object(SegmentMember.objects, "bulk_create", side_effect=RuntimeError("disk")),
        pytest.raises(RuntimeError),
    ):
        _run([SegmentKind.RFM])

    assert _members() == members
    assert SegmentRun.objects.count() == runs


def test_the_task_is_registered_and_scheduled_nightly():
    from django.conf import settings

    from feedsite.celery import app

    assert tasks.recompute.name == "segments.recompute"
    assert "segments.recompute" in app.tasks
    entry = settings.CELERY_BEAT_SCHEDULE["segments-recompute"]
    assert entry["task"] == "segments.recompute"
    assert entry["schedule"].hour == {2}
