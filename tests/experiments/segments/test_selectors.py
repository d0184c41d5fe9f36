"""The selectors the rest of the project uses: one query each."""

from __future__ import annotations

import pytest

from experiments.segments.models import Segment, SegmentMember
from experiments.segments.selectors import is_member, members, segment_of
from profiles.models import Shopper
from tests.factories import ShopperFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed():
    ada, bob, cy = ShopperFactory(), ShopperFactory(), ShopperFactory()
    champions = Segment.objects.create(kind="rfm", key="champions", name="Champions", size=1)
    browsers = Segment.objects.create(kind="rfm", key="browsers", name="Browsers", size=1)
    skincare = Segment.objects.create(kind="behaviour", key="skincare", name="mostly Skincare", size=2)
    for segment, shopper in [(champions, ada), (browsers, bob), (skincare, ada), (skincare, bob)]:
        SegmentMember.objects.create(segment=segment, shopper=shopper)
    return {"ada": ada, "bob": bob, "cy": cy, "champions": champions, "browsers": browsers, "skincare": skincare}


def test_segment_of(placed, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert segment_of(placed["ada"].pk, "rfm") == placed["champions"]
    assert segment_of(placed["ada"].pk, "behaviour") == placed["skincare"]
    assert segment_of(placed["bob"].pk, "rfm") == placed["browsers"]
    assert segment_of(placed["cy"].pk, "rfm") is None


def test_members_is_a_lazy_list_of_ids_usable_as_a_subquery(placed, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert sorted(members(placed["skincare"])) == sorted([placed["ada"].pk, placed["bob"].pk])
    assert list(members(placed["champions"].pk)) == [placed["ada"].pk]
    with django_assert_num_queries(1):
        found = list(Shopper.objects.filter(pk__in=members(placed["browsers"])))
    assert found == [placed["bob"]]


@pytest.mark.parametrize(
    ("shopper", "segment", "expected"),
    [("ada", "champions", True), ("ada", "browsers", False), ("cy", "skincare", False)],
)
def test_is_member(placed, shopper, segment, expected, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert is_member(placed[shopper].pk, placed[segment].pk) is expected


@pytest.mark.postgresql_only
def test_is_member_uses_the_shopper_segment_index(placed):
    from django.db import connection

    query = SegmentMember.objects.filter(shopper_id=placed["ada"].pk, segment_id=placed["champions"].pk)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = query.explain()
        cursor.execute("SET enable_seqscan = on")

    assert "segment_member_once" in plan
