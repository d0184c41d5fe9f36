"""Reads of the KPI rollup: a period's days, their totals and rates, and the period before.

A period of N days is the N whole UTC days that ended last midnight; today, still running, is
shown after them ("so far") and left out of every total and comparison, so that a period is
always compared with one as long and as complete. Rates over several days are ratios of sums
(the click-through of a week is its clicks over its impressions, not the mean of seven rates);
"active shoppers" over several days is the mean per day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from experiments.kpis.models import KpiDay

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30


def _share(part: float, whole: float) -> float:
    """``part / whole``; 0 for a day (or period) with no ``whole``: nothing happened, not a gap."""
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class Totals:
    """Sums over recorded days (``recorded`` of them), and the rates they make."""

    recorded: int = 0
    active_shopper_days: int = 0
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
    revenue: dict[str, Decimal] = field(default_factory=dict)
    currency_orders: dict[str, int] = field(default_factory=dict)
    served_kinds: Counter[str] = field(default_factory=Counter)
    served_sources: Counter[str] = field(default_factory=Counter)
    published: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, rows: Iterable[KpiDay]) -> Totals:
        rows = list(rows)
        revenue: dict[str, Decimal] = {}
        currency_orders: Counter[str] = Counter()
        for row in rows:
            for currency in row.sales:
                revenue[currency] = revenue.get(currency, Decimal("0")) + row.revenue(currency)
                currency_orders[currency] += row.currency_orders(currency)
        return cls(
            recorded=len(rows),
            active_shopper_days=sum(r.active_shoppers for r in rows),
            feed_sessions=sum(r.feed_sessions for r in rows),
            pages_served=sum(r.pages_served for r in rows),
            dwell_ms=sum(r.dwell_ms for r in rows),
            impressions=sum(r.impressions for r in rows),
            opens=sum(r.opens for r in rows),
            product_clicks=sum(r.product_clicks for r in rows),
            add_to_carts=sum(r.add_to_carts for r in rows),
            cart_shoppers=sum(r.cart_shoppers for r in rows),
            orders=sum(r.orders for r in rows),
            buyers=sum(r.buyers for r in rows),
            active_buyers=sum(r.active_buyers for r in rows),
            revenue=dict(sorted(revenue.items())),
            currency_orders=dict(sorted(currency_orders.items())),
            served_kinds=sum((Counter(r.served_kinds) for r in rows), Counter()),
            served_sources=sum((Counter(r.served_sources) for r in rows), Counter()),
            published=sum((Counter(r.published) for r in rows), Counter()),
        )

    @property
    def daily_active(self) -> float:
        """Active shoppers per recorded day, on average."""
        return _share(self.active_shopper_days, self.recorded)

    @property
    def time_in_feed(self) -> float:
        """Seconds of dwell per active shopper (per shopper-day over several days)."""
        return _share(self.dwell_ms / 1000, self.active_shopper_days)

    @property
    def click_through(self) -> float:
        """Opens and product clicks per impression."""
        return _share(self.opens + self.product_clicks, self.impressions)

    @property
    def cart_rate(self) -> float:
        """Adds to cart per impression."""
        return _share(self.add_to_carts, self.impressions)

    @property
    def cart_share(self) -> float:
        """Share of active shoppers who added to a cart."""
        return _share(self.cart_shoppers, self.active_shopper_days)

    @property
    def conversion(self) -> float:
        """Share of active shoppers who ordered the same day."""
        return _share(self.active_buyers, self.active_shopper_days)

    @property
    def served_cards(self) -> int:
        return sum(self.served_kinds.values())

    @property
    def new_items(self) -> int:
        return sum(self.published.values())

    def order_value(self, currency: str) -> Decimal:
        """Mean total of the orders in ``currency``; 0 without any."""
        orders = self.currency_orders.get(currency, 0)
        return (self.revenue.get(currency, Decimal("0")) / orders).quantize(Decimal("0.01")) if orders else Decimal("0")


@dataclass(frozen=True)
class Day:
    """One day of the chart and table: ``totals`` is None when the day was never counted (it
    began before the event retention window and the rollup had no row for it)."""

    day: date
    totals: Totals | None
    today: bool = False


@dataclass(frozen=True)
class KpiDashboard:
    days: int
    first: date
    last: date
    # The period's days oldest first, then today.
    series: list[Day]
    current: Totals
    previous: Totals
    # The period before has a row for each of its days: comparisons are like for like.
    previous_complete: bool
    currencies: list[str]
    # When today's row was counted (None: not yet).
    today_counted_at: datetime | None

    @property
    def today(self) -> Day:
        return self.series[-1]


def period_bounds(*, days: int, now: datetime) -> tuple[date, date]:
    """The first and last day of a period of ``days`` whole UTC days ending last midnight."""
    last = now.astimezone(UTC).date() - timedelta(days=1)
    return last - timedelta(days=days - 1), last


def dashboard_span(*, days: int, now: datetime) -> tuple[date, date]:
    """Every day a dashboard of ``days`` days reads: from the first of the period before to today."""
    first, _ = period_bounds(days=days, now=now)
    return first - timedelta(days=days), now.astimezone(UTC).date()


def kpi_dashboard(*, days: int, now: datetime) -> KpiDashboard:
    """The period of ``days`` days before today, the ``days`` before it, and today so far; one query."""
    first, last = period_bounds(days=days, now=now)
    before = first - timedelta(days=days)
    today = last + timedelta(days=1)
    rows = {row.day: row for row in KpiDay.objects.filter(day__gte=before, day__lte=today)}
    current = [rows[d] for d in _days(first, last) if d in rows]
    previous = [rows[d] for d in _days(before, first - timedelta(days=1)) if d in rows]
    series = [Day(day=d, totals=Totals.of([rows[d]]) if d in rows else None) for d in _days(first, last)]
    series.append(Day(day=today, totals=Totals.of([rows[today]]) if today in rows else None, today=True))
    currencies = sorted({c for row in rows.values() if row.day >= first for c in row.sales})
    return KpiDashboard(
        days=days,
        first=first,
        last=last,
        series=series,
        current=Totals.of(current),
        previous=Totals.of(previous),
        previous_complete=len(previous) == days,
        currencies=currencies,
        today_counted_at=rows[today].computed_at if today in rows else None,
    )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
