"""A creator's figures over a period: per item, in total and per day, from the stored interactions,
plus their follower growth (``profiles.models.FollowChange``). The studio's dashboard reads them.

What each figure counts (the dashboard page says the same to the creator):

- impressions: ``impression`` events (the card was at least half on screen for a second);
- views: visits of at least ``VIEW_MIN_DWELL_MS``: ``dwell`` events (the web tracker's, sent when
  the card leaves the screen) and ``view`` events (apps, imports) of that long, or a ``view`` with
  no time, which the client called a view;
- watch-through (videos): of the views with a time, the share that lasted at least
  ``WATCHED_THROUGH`` of the video's ``duration_ms`` (the feed autoplays and loops: on-screen time is
  watch time, a loop counts as watched through);
- likes, shares, product clicks, carts, purchases: ``like``, ``share``, ``product_click``,
  ``add_to_cart`` and ``purchase`` events (a purchase is an order line credited to the post; an
  unlike does not take a like back).

Days are UTC days; a period of N days is today and the N - 1 before it. Interactions archived and
purged from the database (``profiles.privacy.archive``, after ``ARCHIVE_DELAY`` and the retention)
are no longer counted.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from content.models import ContentItem, Creator
from profiles.events.models import Interaction, InteractionType
from profiles.models import Follow, FollowChange

PERIODS = (7, 30, 90)
MAX_DAYS = 365
VIEW_MIN_DWELL_MS = 2000
WATCHED_THROUGH = 0.9

_TIMED = Q(type__in=[InteractionType.VIEW, InteractionType.DWELL], dwell_ms__gte=VIEW_MIN_DWELL_MS)
_VIEW = _TIMED | Q(type=InteractionType.VIEW, dwell_ms__isnull=True)
_VIDEO = Q(content__kind=ContentItem.Kind.VIDEO, content__duration_ms__gt=0)
_WATCHED = _TIMED & _VIDEO
_COMPLETED = _WATCHED & Q(dwell_ms__gte=F("content__duration_ms") * WATCHED_THROUGH)


@dataclass(frozen=True)
class Figures:
    """Counts over a period, for one item or all of them."""

    impressions: int = 0
    views: int = 0
    # Video views with a time, and those of them watched through: watch-through's fraction.
    timed_views: int = 0
    watched_through: int = 0
    likes: int = 0
    shares: int = 0
    product_clicks: int = 0
    carts: int = 0
    purchases: int = 0

    @property
    def watch_through(self) -> float | None:
        """Share of timed video views watched through (0–1); None without any."""
        return self.watched_through / self.timed_views if self.timed_views else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


# The per-item aggregate: one filtered count per figure.
_FIGURES = {
    "impressions": Q(type=InteractionType.IMPRESSION),
    "views": _VIEW,
    "timed_views": _WATCHED,
    "watched_through": _COMPLETED,
    "likes": Q(type=InteractionType.LIKE),
    "shares": Q(type=InteractionType.SHARE),
    "product_clicks": Q(type=InteractionType.PRODUCT_CLICK),
    "carts": Q(type=InteractionType.ADD_TO_CART),
    "purchases": Q(type=InteractionType.PURCHASE),
}
# The chart's daily lines.
_DAILY = ("impressions", "views", "carts", "purchases")


@dataclass(frozen=True)
class ItemStats:
    id: int
    kind: str
    caption: str
    status: str
    status_label: str
    # What the creator is told about a refusal, a failure or a removal (``ContentItem.status_reason``).
    reason: str
    created_at: datetime
    published_at: datetime | None
    figures: Figures


@dataclass(frozen=True)
class DailySeries:
    """One value per day of the period, oldest first; ``followers`` is the count at each day's end."""

    dates: list[date]
    impressions: list[int]
    views: list[int]
    carts: list[int]
    purchases: list[int]
    followers_gained: list[int]
    followers_lost: list[int]
    followers: list[int]


@dataclass(frozen=True)
class CreatorStats:
    creator_id: int
    days: int
    since: date
    until: date
    items: list[ItemStats]
    totals: Figures
    followers: int
    series: DailySeries


def period_start(*, days: int, now: datetime) -> datetime:
    """The first moment of a period of ``days`` UTC days ending with the day of ``now``."""
    first = now.astimezone(UTC).date() - timedelta(days=days - 1)
    return datetime.combine(first, time.min, tzinfo=UTC)


def creator_stats(*, creator: Creator, days: int, now: datetime | None = None) -> CreatorStats:
    """The creator's figures for the ``days`` UTC days up to ``now`` (1 ≤ days ≤ ``MAX_DAYS``).

    Five queries whatever the number of items and events: the items, the per-item counts, the
    per-day counts, the follower changes per day and today's follower count. The event queries
    join the creator's items (``content_creator_idx``) to their interactions in the period
    (``interaction_content_idx``: content, time).
    """
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    now = now or timezone.now()
    since = period_start(days=days, now=now)
    items = list(
        ContentItem.objects.filter(creator=creator)
        .order_by("-created_at", "-pk")
        .values_list("pk", "kind", "caption", "status", "status_reason", "created_at", "published_at")
    )
    events = Interaction.objects.filter(content__creator=creator, occurred_at__gte=since, occurred_at__lte=now)
    per_item = {
        row.pop("content_id"): Figures(**row)
        for row in events.values("content_id")
        .annotate(**{name: Count("pk", filter=condition) for name, condition in _FIGURES.items()})
        .order_by()
    }
    labels = dict(ContentItem.Status.choices)
    stats = [
        ItemStats(
            id=pk,
            kind=kind,
            caption=caption,
            status=status,
            status_label=str(labels.get(status, status)),
            reason=reason,
            created_at=created_at,
            published_at=published_at,
            figures=per_item.get(pk, Figures()),
        )
        for pk, kind, caption, status, reason, created_at, published_at in items
    ]
    totals = sum((item.figures for item in stats), Figures())
    followers = Follow.objects.filter(creator=creator).count()
    return CreatorStats(
        creator_id=creator.pk,
        days=days,
        since=since.date(),
        until=now.astimezone(UTC).date(),
        items=stats,
        totals=totals,
        followers=followers,
        series=_series(creator=creator, events=events, since=since, now=now, days=days, followers=followers),
    )


def _series(
    *, creator: Creator, events: QuerySet[Interaction], since: datetime, now: datetime, days: int, followers: int
) -> DailySeries:
    dates = [since.date() + timedelta(days=n) for n in range(days)]
    daily = {
        row.pop("day"): row
        for row in events.annotate(day=TruncDate("occurred_at", tzinfo=UTC))
        .values("day")
        .annotate(**{name: Count("pk", filter=_FIGURES[name]) for name in _DAILY})
        .order_by()
    }
    changes = {
        row["day"]: (row["gained"], row["lost"])
        for row in FollowChange.objects.filter(creator=creator, at__gte=since, at__lte=now)
        .annotate(day=TruncDate("at", tzinfo=UTC))
        .values("day")
        .annotate(gained=Count("pk", filter=Q(delta=1)), lost=Count("pk", filter=Q(delta=-1)))
        .order_by()
    }
    gained = [changes.get(day, (0, 0))[0] for day in dates]
    lost = [changes.get(day, (0, 0))[1] for day in dates]
    # Counted back from today's count: follows that changed unlogged (merged, erased) shift the past.
    cumulative = [followers]
    for plus, minus in zip(reversed(gained[1:]), reversed(lost[1:]), strict=True):
        cumulative.append(cumulative[-1] - plus + minus)
    return DailySeries(
        dates=dates,
        **{name: [daily.get(day, {}).get(name, 0) for day in dates] for name in _DAILY},
        followers_gained=gained,
        followers_lost=lost,
        followers=cumulative[::-1],
    )
