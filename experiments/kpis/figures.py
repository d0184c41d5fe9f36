"""What each KPI counts, per UTC day, straight from the system of record.

- active shoppers: shoppers with at least one interaction that day, of any type but the server's
  own records of a message's email opened or clicked (``EventType.server``): a visit, not a mail;
- feed sessions: distinct ``FeedRequest.feed_session`` with a page served that day (a session that
  runs past midnight counts on both days); pages served: ``FeedRequest`` rows;
- time in feed: the ``dwell_ms`` of ``dwell`` events (the web tracker's, sent as a card leaves the
  screen) and of ``view`` events (apps, imports);
- impressions, opens, product clicks, adds to cart: events of those types; shoppers who added:
  distinct shoppers with an ``add_to_cart``;
- orders, buyers, sales: orders placed that day (``Order.created_at``) except cancelled ones, their
  distinct shoppers, and per currency their count and the sum of their totals; active buyers: the
  buyers who were also active shoppers that day (conversion's numerator);
- cards served by kind and by source: every card of every page served that day, by its item's
  kind and source now (``""`` for an item deleted since);
- new content: items whose ``published_at`` falls that day, by kind, whatever became of them later.

Each figure is one grouped query over the whole range of days, so counting 181 days takes as
many queries as counting one; days with nothing are zeros, never missing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncDay

from content.models import ContentItem
from experiments.kpis.models import day_start
from profiles.events.models import Interaction, InteractionType
from profiles.events.types import EVENT_TYPES
from profiles.shop.models import Order
from ranking.models import FeedRequest

# Recorded by the server when a message's email is opened or clicked: no visit to the feed.
NOT_A_VISIT = tuple(t.name for t in EVENT_TYPES if t.server)
TIMED = (InteractionType.DWELL, InteractionType.VIEW)
# Orders that count as sales: every status but these (the shop has no refunds yet).
NOT_SALES = (Order.Status.CANCELLED,)
# Items per ``pk__in`` lookup of the Python fallback, well under SQLite's bound parameters.
LOOKUP_CHUNK = 1000
# Served pages read per round trip by the Python fallback.
READ_CHUNK = 2000

ServedCards = Counter[tuple[date, str, str]]


@dataclass
class DayFigures:
    """One UTC day's counts (``models.KpiDay`` stores the same fields)."""

    active_shoppers: int = 0
    feed_sessions: int = 0
    pages_served: int = 0
    dwell_ms: int = 0
    impressions: int = 0
    opens: int = 0
    product_clicks: int = 0
    add_to_carts: int = 0
    cart_shoppers: int = 0
    orders: int = 0
    buyers: int = 0
    active_buyers: int = 0
    # Currency → {"orders": n, "revenue": "12.30"} (a decimal string: JSON has no decimals).
    sales: dict[str, dict[str, Any]] = field(default_factory=dict)
    served_kinds: dict[str, int] = field(default_factory=dict)
    served_sources: dict[str, int] = field(default_factory=dict)
    published: dict[str, int] = field(default_factory=dict)


def day_figures(*, first: date, last: date) -> dict[date, DayFigures]:
    """The figures of every UTC day from ``first`` to ``last`` (both included), oldest first.

    Six grouped queries on PostgreSQL whatever the number of days, each filtered by time (the two
    big tables through their time indexes, ``interaction_time_idx`` and ``feedrequest_recent_idx``);
    on SQLite the served cards are counted in Python, one more query per thousand distinct items.
    """
    if last < first:
        return {}
    start, end = day_start(first), day_start(last) + timedelta(days=1)
    days = {first + timedelta(days=n): DayFigures() for n in range((last - first).days + 1)}
    _add_interactions(days, start, end)
    _add_sessions(days, start, end)
    _add_orders(days, start, end)
    _add_buyers(days, start, end)
    _add_served(days, served_cards(start=start, end=end))
    _add_published(days, start, end)
    return days


def _add_interactions(days: dict[date, DayFigures], start: datetime, end: datetime) -> None:
    rows = (
        Interaction.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .annotate(day=TruncDate("occurred_at", tzinfo=UTC))
        .values("day")
        .annotate(
            active_shoppers=Count("shopper", distinct=True, filter=~Q(type__in=NOT_A_VISIT)),
            dwell_ms=Sum("dwell_ms", filter=Q(type__in=TIMED)),
            impressions=Count("pk", filter=Q(type=InteractionType.IMPRESSION)),
            opens=Count("pk", filter=Q(type=InteractionType.OPEN)),
            product_clicks=Count("pk", filter=Q(type=InteractionType.PRODUCT_CLICK)),
            add_to_carts=Count("pk", filter=Q(type=InteractionType.ADD_TO_CART)),
            cart_shoppers=Count("shopper", distinct=True, filter=Q(type=InteractionType.ADD_TO_CART)),
        )
        .order_by()
    )
    for row in rows:
        figures = days[row.pop("day")]
        row["dwell_ms"] = row["dwell_ms"] or 0
        for name, value in row.items():
            setattr(figures, name, value)


def _add_sessions(days: dict[date, DayFigures], start: datetime, end: datetime) -> None:
    rows = (
        FeedRequest.objects.filter(served_at__gte=start, served_at__lt=end)
        .annotate(day=TruncDate("served_at", tzinfo=UTC))
        .values("day")
        .annotate(sessions=Count("feed_session", distinct=True), pages=Count("pk"))
        .order_by()
    )
    for row in rows:
        figures = days[row["day"]]
        figures.feed_sessions, figures.pages_served = row["sessions"], row["pages"]


def _sales() -> QuerySet[Order]:
    return Order.objects.exclude(status__in=NOT_SALES)


def _add_orders(days: dict[date, DayFigures], start: datetime, end: datetime) -> None:
    rows = (
        _sales()
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day", "currency")
        .annotate(orders=Count("pk"), revenue=Sum("total"))
        .order_by("day", "currency")
    )
    for row in rows:
        figures = days[row["day"]]
        figures.orders += row["orders"]
        revenue: Decimal = row["revenue"]
        figures.sales[row["currency"]] = {"orders": row["orders"], "revenue": str(revenue.quantize(Decimal("0.01")))}


def _add_buyers(days: dict[date, DayFigures], start: datetime, end: datetime) -> None:
    """Buyers, and of them those with a visit the same UTC day (``interaction_shopper_idx``)."""
    visited = Interaction.objects.filter(
        shopper=OuterRef("shopper"),
        occurred_at__gte=OuterRef("day_start"),
        occurred_at__lt=OuterRef("day_end"),
    ).exclude(type__in=NOT_A_VISIT)
    rows = (
        _sales()
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(day_start=TruncDay("created_at", tzinfo=UTC))
        .annotate(
            day_end=ExpressionWrapper(F("day_start") + timedelta(days=1), output_field=DateTimeField()),
            visited=Exists(visited),
        )
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(
            buyers=Count("shopper", distinct=True),
            active_buyers=Count("shopper", distinct=True, filter=Q(visited=True)),
        )
        .order_by()
    )
    for row in rows:
        figures = days[row["day"]]
        figures.buyers, figures.active_buyers = row["buyers"], row["active_buyers"]


def _add_served(days: dict[date, DayFigures], cards: ServedCards) -> None:
    for (day, kind, source), n in sorted(cards.items()):
        figures = days[day]
        figures.served_kinds[kind] = figures.served_kinds.get(kind, 0) + n
        figures.served_sources[source] = figures.served_sources.get(source, 0) + n


def _add_published(days: dict[date, DayFigures], start: datetime, end: datetime) -> None:
    rows = (
        ContentItem.objects.filter(published_at__gte=start, published_at__lt=end)
        .annotate(day=TruncDate("published_at", tzinfo=UTC))
        .values("day", "kind")
        .annotate(n=Count("pk"))
        .order_by("day", "kind")
    )
    for row in rows:
        days[row["day"]].published[row["kind"]] = row["n"]


def served_cards(*, start: datetime, end: datetime) -> ServedCards:
    """Cards served in pages from ``start`` (included) to ``end`` (excluded), counted by (UTC day,
    the item's kind, its source). PostgreSQL unnests and joins the pages' items in the database
    (``served_cards_sql``); elsewhere they are counted in Python (``served_cards_python``)."""
    if connection.vendor == "postgresql":
        return served_cards_sql(start=start, end=end)
    return served_cards_python(start=start, end=end)


def served_cards_sql(*, start: datetime, end: datetime) -> ServedCards:
    """``served_cards`` on PostgreSQL: one statement, grouped rows back (a few per day)."""
    quote = connection.ops.quote_name
    pages, items = quote(FeedRequest._meta.db_table), quote(ContentItem._meta.db_table)
    sql = f"""
        SELECT (page.served_at AT TIME ZONE 'UTC')::date, COALESCE(item.kind, ''), COALESCE(item.source, ''), count(*)
        FROM {pages} AS page
        CROSS JOIN LATERAL jsonb_array_elements_text(page.items) AS card(id)
        LEFT JOIN {items} AS item ON item.id = card.id::bigint
        WHERE page.served_at >= %s AND page.served_at < %s AND jsonb_typeof(page.items) = 'array'
        GROUP BY 1, 2, 3
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, end])
        return Counter({(day, kind, source): n for day, kind, source, n in cursor.fetchall()})


def served_cards_python(*, start: datetime, end: datetime) -> ServedCards:
    """``served_cards`` read plainly: every page's items, then the kinds and sources of the distinct items."""
    per_item: Counter[tuple[date, int]] = Counter()
    pages = FeedRequest.objects.filter(served_at__gte=start, served_at__lt=end).values_list("served_at", "items")
    for served_at, items in pages.iterator(chunk_size=READ_CHUNK):
        day = served_at.astimezone(UTC).date()
        per_item.update((day, int(item)) for item in items)
    known: dict[int, tuple[str, str]] = {}
    ids = sorted({item for _, item in per_item})
    for at in range(0, len(ids), LOOKUP_CHUNK):
        rows = ContentItem.objects.filter(pk__in=ids[at : at + LOOKUP_CHUNK]).values_list("pk", "kind", "source")
        known.update({pk: (kind, source) for pk, kind, source in rows})
    cards: ServedCards = Counter()
    for (day, item), n in per_item.items():
        kind, source = known.get(item, ("", ""))
        cards[(day, kind, source)] += n
    return cards
