"""Creator reputation, computed from what moderators and shoppers did with a creator's items.

Two rates, each Beta-smoothed towards what a typical creator gets, so that a little evidence moves
a creator a little and a new creator sits exactly at the prior:

    removed share   s = (removed + K_ITEMS · BASE_REMOVED_SHARE) / (judged + K_ITEMS)
    hide rate       h = (hides + K_IMPRESSIONS · BASE_HIDE_RATE) / (max(impressions, hides) + K_IMPRESSIONS)
    badness         b = (s / BASE_REMOVED_SHARE + h / BASE_HIDE_RATE) / 2       (1 = a typical creator)
    reputation      r = 1 / (1 + b)

``judged`` counts the creator's items that were published or removed (removed ones included),
``removed`` those moderators removed; ``impressions`` and ``hides`` are the "impression" and
"hide" (not interested) interactions on the creator's items, as long as PostgreSQL keeps them
(``EVENT_RETENTION_DAYS``). Hides are counted against at least as many impressions as hides, for
clients and imports that send no impressions.

So a creator with no evidence has ``r = NEUTRAL = 0.5``; one twice as bad as typical 1/3, four
times 0.2 (the default ``FEED_MIN_CREATOR_REPUTATION``); one with a long clean record tends to 1.
A single hide on a single impression moves a new creator from 0.5 to 0.47: the prior weighs as much
as ``K_IMPRESSIONS`` impressions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import Count, Q

from content.models import ContentItem
from profiles.events.models import Interaction, InteractionType

# What a typical creator gets, by judgement until there is data to fit them on: about one item in
# twenty removed, and one impression in fifty hidden.
BASE_REMOVED_SHARE = 0.05
BASE_HIDE_RATE = 0.02
# How much evidence the prior weighs: ten items, or two hundred impressions (a few days of a small
# creator's posts in the feed).
K_ITEMS = 10.0
K_IMPRESSIONS = 200.0
NEUTRAL = 0.5


@dataclass(frozen=True)
class Evidence:
    judged: int = 0  # items published or removed
    removed: int = 0
    impressions: int = 0
    hides: int = 0


def reputation(evidence: Evidence) -> float:
    """The formula of the module docstring; in (0, 1), ``NEUTRAL`` for ``Evidence()``."""
    removed_share = (evidence.removed + K_ITEMS * BASE_REMOVED_SHARE) / (evidence.judged + K_ITEMS)
    trials = max(evidence.impressions, evidence.hides)
    hide_rate = (evidence.hides + K_IMPRESSIONS * BASE_HIDE_RATE) / (trials + K_IMPRESSIONS)
    badness = (removed_share / BASE_REMOVED_SHARE + hide_rate / BASE_HIDE_RATE) / 2
    return 1.0 / (1.0 + badness)


def evidence_by_creator() -> dict[int, Evidence]:
    """Everything the formula reads, for every creator with any of it; two aggregate queries.

    The second scans the impressions and hides of the retention window: hourly work for a worker,
    never for a request.
    """
    Status = ContentItem.Status
    items = (
        ContentItem.objects.filter(creator__isnull=False)
        .order_by()
        .values("creator_id")
        .annotate(
            judged=Count("pk", filter=Q(status__in=[Status.PUBLISHED, Status.REMOVED])),
            removed=Count("pk", filter=Q(status=Status.REMOVED)),
        )
    )
    found: dict[int, Evidence] = {
        row["creator_id"]: Evidence(judged=row["judged"], removed=row["removed"]) for row in items if row["judged"]
    }
    interactions = (
        Interaction.objects.filter(
            type__in=[InteractionType.IMPRESSION, InteractionType.HIDE], content__creator__isnull=False
        )
        .order_by()
        .values("content__creator_id")
        .annotate(
            impressions=Count("pk", filter=Q(type=InteractionType.IMPRESSION)),
            hides=Count("pk", filter=Q(type=InteractionType.HIDE)),
        )
    )
    for row in interactions:
        creator = row["content__creator_id"]
        found[creator] = replace(found.get(creator, Evidence()), impressions=row["impressions"], hides=row["hides"])
    return found
