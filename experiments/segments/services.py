"""Every write to segments: a recomputation replaces a kind's members and updates its segments in place."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from experiments.segments.activity import LOOKBACK_DAYS, activity_as_of
from experiments.segments.compute import COMPUTE, Computed
from experiments.segments.models import Segment, SegmentKind, SegmentMember, SegmentRun

# Members are inserted in batches of this many rows.
MEMBER_BATCH = 5000


@transaction.atomic
def segments_store(*, computed: Computed) -> SegmentRun:
    """Store a computed kind of segments in one transaction, and the run that computed them.

    Segments are matched by ``(kind, key)`` and updated in place, so their ids (which experiments
    point at as audiences) survive recomputation; the kind's members are all replaced. A segment the
    new computation no longer has is deleted, unless an experiment uses it (``Experiment.segment``
    is PROTECT): that one is emptied, and the experiment's audience is nobody until it returns.
    The kind's segments are locked first, so two recomputations of a kind run one after the other.
    """
    kind, now = computed.kind, timezone.now()
    existing = {segment.key: segment for segment in Segment.objects.select_for_update().filter(kind=kind)}
    SegmentMember.objects.filter(segment__kind=kind).delete()
    for found in computed.segments:
        segment = existing.pop(found.key, None) or Segment(kind=kind, key=found.key)
        segment.name, segment.description = found.name, found.description
        segment.size, segment.figures, segment.computed_at = len(found.members), found.figures, now
        segment.save()
        SegmentMember.objects.bulk_create(
            (SegmentMember(segment_id=segment.pk, shopper_id=shopper) for shopper in found.members.tolist()),
            batch_size=MEMBER_BATCH,
        )
    gone = [segment.pk for segment in existing.values()]
    used = set(Segment.objects.filter(pk__in=gone, experiments__isnull=False).values_list("pk", flat=True))
    Segment.objects.filter(pk__in=used).update(
        size=0, figures={}, computed_at=now, description="Empty: the last recomputation found no such group."
    )
    Segment.objects.filter(pk__in=set(gone) - used).delete()
    return SegmentRun.objects.create(
        kind=kind, as_of=computed.as_of, shoppers=computed.shoppers, summary=computed.summary
    )


def segments_recompute(
    *, kinds: list[str] | None = None, as_of: datetime | None = None, lookback_days: int = LOOKBACK_DAYS
) -> list[SegmentRun]:
    """Recompute ``kinds`` (default both) as of ``as_of`` (default ``activity_as_of``): the reading
    and clustering happen before each kind's short write transaction."""
    as_of = as_of or activity_as_of()
    runs = []
    for kind in kinds or [SegmentKind.RFM, SegmentKind.BEHAVIOUR]:
        computed = COMPUTE[SegmentKind(kind)](as_of=as_of, lookback_days=lookback_days)
        runs.append(segments_store(computed=computed))
    return runs
