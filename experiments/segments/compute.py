"""Computing a kind of segments as of a moment: who is in which segment, each one's figures, and the
tests that they differ. Reads only; ``services.segments_store`` writes what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from experiments.segments import behaviour, checks, rfm
from experiments.segments.activity import LOOKBACK_DAYS, activity_load
from experiments.segments.models import SegmentKind
from profiles.events.models import Interaction
from profiles.shop.models import Order

# A behaviour outside RFM's own definitions, for the χ² test that RFM groups differ.
PRODUCT_ENGAGEMENTS = ("product_click", "add_to_cart")


@dataclass(frozen=True)
class ComputedSegment:
    key: str
    name: str
    description: str
    figures: dict[str, Any]
    members: np.ndarray  # shopper ids


@dataclass(frozen=True)
class Computed:
    kind: str
    as_of: datetime
    shoppers: int
    segments: list[ComputedSegment]
    summary: dict[str, Any] = field(default_factory=dict)


def _window(as_of: datetime, lookback_days: int) -> tuple[datetime, datetime]:
    return as_of - timedelta(days=lookback_days), as_of


def _shoppers_who(types: tuple[str, ...], *, as_of: datetime, lookback_days: int) -> np.ndarray:
    """Sorted ids of the shoppers with an interaction of ``types`` in the lookback; one query."""
    since, until = _window(as_of, lookback_days)
    ids = (
        Interaction.objects.filter(type__in=types, occurred_at__gt=since, occurred_at__lte=until)
        .values_list("shopper_id", flat=True)
        .distinct()
    )
    return np.unique(np.fromiter(ids, np.int64))


def _buyers(*, as_of: datetime, lookback_days: int) -> np.ndarray:
    """Sorted ids of the shoppers with a paid order in the lookback; one query."""
    since, until = _window(as_of, lookback_days)
    ids = (
        Order.objects.filter(status=Order.Status.PAID, created_at__gt=since, created_at__lte=until)
        .values_list("shopper_id", flat=True)
        .distinct()
    )
    return np.unique(np.fromiter(ids, np.int64))


def _yes_no_table(labels: np.ndarray, k: int, yes: np.ndarray) -> np.ndarray:
    """Segments × (yes, no) counts."""
    table = np.zeros((k, 2), np.int64)
    np.add.at(table, (labels, np.where(yes, 0, 1)), 1)
    return table


def rfm_compute(*, as_of: datetime, lookback_days: int = LOOKBACK_DAYS) -> Computed:
    """RFM groups of every shopper active in the lookback (three queries)."""
    activity = activity_load(as_of=as_of, lookback_days=lookback_days)
    scores = rfm.rfm_score(activity)
    figures = rfm.group_figures(scores)
    keys = [group.key for group in rfm.GROUPS]
    members = {key: activity.shopper[scores.group == n] for n, key in enumerate(keys)}
    engaged = np.isin(activity.shopper, _shoppers_who(PRODUCT_ENGAGEMENTS, as_of=as_of, lookback_days=lookback_days))
    for n, key in enumerate(keys):
        mask = scores.group == n
        figures[key]["product_engaged"] = round(float(engaged[mask].mean()), 4) if mask.any() else None
    by_group = [scores.group == n for n in range(len(keys))]
    buyer_groups = [n for n, key in enumerate(keys) if not key.endswith("browsers")]
    tests = [
        checks.kruskal([activity.recency_days[m] for m in by_group], name="Days since last active"),
        checks.kruskal([activity.active_days[m] for m in by_group], name="Active days"),
        checks.kruskal([activity.spend[by_group[n]] for n in buyer_groups], name="Spend (buyers' groups)"),
        checks.independence(
            _yes_no_table(scores.group, len(keys), engaged),
            rows=keys,
            columns=["clicked or carted a product", "did not"],
            name="Clicked or carted a product, by segment",
        ),
    ]
    pairs = [
        *checks.pairwise_welch(
            {key: activity.recency_days[m] for key, m in zip(keys, by_group, strict=True)}, figure="recency_days"
        ),
        *checks.pairwise_welch(
            {key: activity.active_days[m] for key, m in zip(keys, by_group, strict=True)}, figure="active_days"
        ),
        *checks.pairwise_welch({keys[n]: activity.spend[by_group[n]] for n in buyer_groups}, figure="spend"),
    ]
    segments = [
        ComputedSegment(
            key=group.key,
            name=group.name,
            description=f"{group.rule[0].upper()}{group.rule[1:]}.",
            figures={**figures[group.key], "code": group.code},
            members=members[group.key],
        )
        for group in rfm.GROUPS
    ]
    summary = {
        "as_of": as_of.isoformat(),
        "lookback_days": lookback_days,
        "shoppers": len(activity),
        "buyers": int((activity.spend > 0).sum()),
        "tests": tests,
        "pairs": pairs,
    }
    return Computed(kind=SegmentKind.RFM, as_of=as_of, shoppers=len(activity), segments=segments, summary=summary)


def behaviour_compute(*, as_of: datetime, lookback_days: int = LOOKBACK_DAYS) -> Computed:
    """Clusters of the affinity profiles of every shopper with enough engagements (three queries)."""
    profiles = behaviour.profiles_load(as_of=as_of, lookback_days=lookback_days)
    summary: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "lookback_days": lookback_days,
        "shoppers": len(profiles),
        "min_engagements": behaviour.MIN_ENGAGEMENTS,
        "categories": [category.name for category in profiles.categories],
    }
    clustering = behaviour.cluster_profiles(profiles.shares) if len(profiles) else None
    if clustering is None:
        summary["skipped"] = (
            f"Too few shoppers with {behaviour.MIN_ENGAGEMENTS} engagements in categories "
            "(or too few distinct profiles) to form two groups."
        )
        return Computed(kind=SegmentKind.BEHAVIOUR, as_of=as_of, shoppers=len(profiles), segments=[], summary=summary)
    named = behaviour.cluster_keys(clustering.centers, profiles.categories)
    keys = [key for key, _ in named]
    bought = np.isin(profiles.shopper, _buyers(as_of=as_of, lookback_days=lookback_days))
    by_cluster = [clustering.labels == c for c in range(clustering.k)]
    segments = []
    for c, (key, name) in enumerate(named):
        mask = by_cluster[c]
        top = behaviour.top_entries(clustering.centers[c], profiles.categories)
        segments.append(
            ComputedSegment(
                key=key,
                name=name,
                description="Top categories of the mean profile: "
                + ", ".join(f"{entry['category']} {entry['share']:.0%}" for entry in top)
                + ".",
                figures={
                    "size": int(mask.sum()),
                    "share": round(float(mask.mean()), 4),
                    "top": top,
                    "engagements": round(float(np.median(profiles.engagements[mask])), 2),
                    "bought": round(float(bought[mask].mean()), 4),
                },
                members=profiles.shopper[mask],
            )
        )
    # The categories that name a cluster: their shares are the figures that define the clusters.
    naming = sorted({int(np.argmax(center)) for center in clustering.centers})
    tests = [
        checks.independence(
            _yes_no_table(clustering.labels, clustering.k, bought),
            rows=keys,
            columns=["bought", "did not"],
            name="Bought in the lookback, by segment",
        ),
        checks.kruskal([profiles.engagements[m] for m in by_cluster], name="Engagements"),
        *[
            checks.kruskal(
                [profiles.shares[m, column] for m in by_cluster],
                name=f"Share of {profiles.categories[column].name}",
            )
            for column in naming
        ],
    ]
    summary |= {
        "k": clustering.k,
        "silhouettes": {str(k): score for k, score in clustering.silhouettes.items()},
        "silhouette": clustering.silhouettes[clustering.k],
        "structure": behaviour.structure(clustering.silhouettes[clustering.k]),
        "profiles": {
            key: [round(float(v), 4) for v in center] for key, center in zip(keys, clustering.centers, strict=True)
        },
        "tests": tests,
        "pairs": checks.pairwise_welch(
            {key: profiles.engagements[m] for key, m in zip(keys, by_cluster, strict=True)}, figure="engagements"
        ),
    }
    return Computed(kind=SegmentKind.BEHAVIOUR, as_of=as_of, shoppers=len(profiles), segments=segments, summary=summary)


COMPUTE = {SegmentKind.RFM: rfm_compute, SegmentKind.BEHAVIOUR: behaviour_compute}
