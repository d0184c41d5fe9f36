"""Reads of the reputation recompute: interactions past a cursor, moderation evidence, shoppers' windows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber

from content.models import ContentItem, Creator
from moderation.models import CreatorStanding, Report, ShopperTrust
from moderation.reputation import creators, shoppers
from profiles.events.models import Interaction


@dataclass(frozen=True)
class Row:
    """One interaction as the recompute reads it."""

    id: int
    shopper_id: int
    creator_id: int | None
    type: str
    value: float | None


@dataclass
class Engagement:
    """Running totals of what shoppers did with a creator's items (``CreatorStanding``'s columns)."""

    views: int = 0
    impressions: int = 0
    hides: int = 0
    likes: int = 0  # net of unlikes
    purchases: int = 0
    watch_events: int = 0
    watch_sum: float = 0.0

    def add(self, row: Row) -> None:
        kind = row.type
        if kind == "view":
            self.views += 1
        elif kind == "impression":
            self.impressions += 1
        elif kind == "hide":
            self.hides += 1
        elif kind == "like":
            self.likes += 1
        elif kind == "unlike":
            self.likes -= 1
        elif kind == "purchase":
            self.purchases += 1
        elif kind == "video_progress" and row.value is not None:
            self.watch_events += 1
            self.watch_sum += min(max(row.value / 100.0, 0.0), 1.0)  # the tracker sends percents


ENGAGEMENT_FIELDS = tuple(f.name for f in fields(Engagement))


def interactions_after(*, last_id: int, limit: int, settled_before: datetime) -> list[Row]:
    """Up to ``limit`` interactions with id > ``last_id`` in id order, one query; the list stops
    before the first one stored at or after ``settled_before``, so that an id a slower transaction
    took earlier is not passed over while it commits."""
    rows = (
        Interaction.objects.filter(pk__gt=last_id)
        .order_by("pk")
        .values_list("pk", "shopper_id", "content__creator_id", "type", "value", "received_at")[:limit]
    )
    found: list[Row] = []
    for pk, shopper, creator, kind, value, received_at in rows:
        if received_at >= settled_before:
            break
        found.append(Row(pk, shopper, creator, kind, value))
    return found


def engagement_by_creator(rows: Iterable[Row]) -> dict[int, Engagement]:
    out: defaultdict[int, Engagement] = defaultdict(Engagement)
    for row in rows:
        if row.creator_id is not None:
            out[row.creator_id].add(row)
    return dict(out)


def engagement_through(last_id: int, creator_ids: Collection[int]) -> dict[int, Engagement]:
    """The totals of ``creator_ids`` from all stored interactions with id ≤ ``last_id``: two
    queries over the retention window (the daily reconciliation's, never a request's)."""
    count = {
        "views": Count("pk", filter=Q(type="view")),
        "impressions": Count("pk", filter=Q(type="impression")),
        "hides": Count("pk", filter=Q(type="hide")),
        "likes": Count("pk", filter=Q(type="like")),
        "unlikes": Count("pk", filter=Q(type="unlike")),
        "purchases": Count("pk", filter=Q(type="purchase")),
    }
    totals = (
        Interaction.objects.filter(pk__lte=last_id, content__creator_id__in=creator_ids)
        .order_by()
        .values("content__creator_id")
        .annotate(**count)
    )
    out = {
        row["content__creator_id"]: Engagement(
            views=row["views"],
            impressions=row["impressions"],
            hides=row["hides"],
            likes=row["likes"] - row["unlikes"],
            purchases=row["purchases"],
        )
        for row in totals
    }
    # Watch-through clamps each value, which an aggregate would need per database: summed here.
    progress = Interaction.objects.filter(
        pk__lte=last_id, content__creator_id__in=creator_ids, type="video_progress", value__isnull=False
    ).values_list("content__creator_id", "value")
    for creator, value in progress.iterator(chunk_size=5_000):
        found = out.setdefault(creator, Engagement())
        found.add(Row(0, 0, creator, "video_progress", value))
    return out


@dataclass(frozen=True)
class Judged:
    """What moderators decided about a creator's items, and the account's age."""

    judged: int = 0
    removed: int = 0
    upheld: int = 0
    age_days: int = 0


def judged_by_creator(creator_ids: Collection[int], *, now: datetime) -> dict[int, Judged]:
    """Items judged and removed, upheld reports and account age of each of ``creator_ids`` that
    exists; three queries."""
    Status = ContentItem.Status
    counted = (
        ContentItem.objects.filter(creator_id__in=creator_ids)
        .order_by()
        .values("creator_id")
        .annotate(
            judged=Count("pk", filter=Q(status__in=[Status.PUBLISHED, Status.REMOVED])),
            removed=Count("pk", filter=Q(status=Status.REMOVED)),
        )
    )
    items = {row["creator_id"]: (row["judged"], row["removed"]) for row in counted}
    upheld = dict(
        Report.objects.filter(status=Report.Status.UPHELD, item__creator_id__in=creator_ids)
        .order_by()
        .values("item__creator_id")
        .annotate(n=Count("pk"))
        .values_list("item__creator_id", "n")
    )
    return {
        creator: Judged(
            judged=items.get(creator, (0, 0))[0],
            removed=items.get(creator, (0, 0))[1],
            upheld=upheld.get(creator, 0),
            # The account's age: the older of the creator profile and the user account behind it.
            age_days=max((now - min(created, joined or created)).days, 0),
        )
        for creator, created, joined in Creator.objects.filter(pk__in=creator_ids).values_list(
            "pk", "created_at", "user__date_joined"
        )
    }


def creators_with_items() -> set[int]:
    return set(ContentItem.objects.filter(creator__isnull=False).values_list("creator_id", flat=True).distinct())


def trust_inputs(shopper_ids: Collection[int], *, now: datetime) -> dict[int, shoppers.TrustInputs]:
    """Each shopper's trust inputs (``shoppers.inputs_of``) from their events of the window (the
    latest ``MODERATION_TRUST_MAX_EVENTS``); two queries. A shopper without events in the window
    gets ``TrustInputs()``."""
    since = now - timedelta(days=settings.MODERATION_TRUST_WINDOW_DAYS)
    recent = (
        Interaction.objects.filter(shopper_id__in=shopper_ids, occurred_at__gte=since)
        .annotate(latest=Window(RowNumber(), partition_by=[F("shopper_id")], order_by=F("occurred_at").desc()))
        .filter(latest__lte=settings.MODERATION_TRUST_MAX_EVENTS)
        .values_list("pk", "shopper_id", "type", "occurred_at")
    )
    times: defaultdict[int, list[float]] = defaultdict(list)
    types: defaultdict[int, list[str]] = defaultdict(list)
    actions: list[int] = []
    for pk, shopper, kind, at in recent:
        times[shopper].append(at.timestamp())
        types[shopper].append(kind)
        if kind in shoppers.ACTIONS:
            actions.append(pk)
    shown = Interaction.objects.filter(
        shopper_id=OuterRef("shopper_id"),
        content_id=OuterRef("content_id"),
        occurred_at__lte=OuterRef("occurred_at"),
        type__in=shoppers.EXPOSING,
    )
    unexposed: defaultdict[int, int] = defaultdict(int)
    if actions:
        for shopper in (
            Interaction.objects.filter(pk__in=actions).exclude(Exists(shown)).values_list("shopper_id", flat=True)
        ):
            unexposed[shopper] += 1
    return {
        shopper: shoppers.inputs_of(times.get(shopper, []), types.get(shopper, []), unexposed[shopper])
        for shopper in shopper_ids
    }


def evidence_of(standing: CreatorStanding) -> creators.Evidence:
    """The formula's evidence as stored on ``standing``."""
    return creators.Evidence(
        judged=standing.items_judged,
        removed=standing.items_removed,
        upheld=standing.upheld_reports,
        impressions=standing.impressions,
        views=standing.views,
        hides=standing.hides,
        likes=standing.likes,
        purchases=standing.purchases,
        watch_events=standing.watch_events,
        watch_sum=standing.watch_sum,
        age_days=standing.account_age_days,
    )


def inputs_of(row: ShopperTrust) -> shoppers.TrustInputs:
    """The trust formula's inputs as stored on ``row``."""
    return shoppers.TrustInputs(
        events=row.events,
        impressions=row.impressions,
        actions=row.actions,
        unexposed_actions=row.unexposed_actions,
        peak_per_minute=row.peak_per_minute,
        gap_cv=row.gap_cv,
    )
