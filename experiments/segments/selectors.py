"""Reads of segments, for the rest of the project (experiment audiences, the admin)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from experiments.segments.models import Segment, SegmentKind, SegmentMember, SegmentRun


def segment_of(shopper_id: int, kind: str) -> Segment | None:
    """The shopper's segment of ``kind`` (each shopper is in at most one of a kind); one query."""
    return Segment.objects.filter(kind=kind, members__shopper_id=shopper_id).first()


def members(segment: Segment | int) -> QuerySet[SegmentMember, int]:
    """The shopper ids in ``segment`` (a segment or its id), as a lazy queryset: usable as a subquery
    (``Shopper.objects.filter(pk__in=members(s))``)."""
    segment_id = segment.pk if isinstance(segment, Segment) else segment
    return SegmentMember.objects.filter(segment_id=segment_id).values_list("shopper_id", flat=True)


def is_member(shopper_id: int, segment_id: int) -> bool:
    """Whether the shopper is in the segment; one query on the (shopper, segment) unique index."""
    return SegmentMember.objects.filter(shopper_id=shopper_id, segment_id=segment_id).exists()


@dataclass(frozen=True)
class KindOverview:
    """What the admin's page of a kind shows: its segments, largest first, and its latest run."""

    kind: SegmentKind
    segments: list[Segment]
    run: SegmentRun | None


def kind_overview(kind: str) -> KindOverview:
    """Two queries."""
    kind = SegmentKind(kind)
    segments = list(Segment.objects.filter(kind=kind).order_by("-size", "key"))
    return KindOverview(kind=kind, segments=segments, run=SegmentRun.objects.filter(kind=kind).first())
