"""The dashboard page's context: the headline, the tables' cells (text, formatted here once) and the
data the charts draw (``json_script``), all from one ``selectors.KpiDashboard``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from content.models import ContentItem, Product
from content.templatetags.shop import money
from experiments.kpis.selectors import Day, KpiDashboard, Totals

KINDS = dict(ContentItem.Kind.choices)
SOURCES = dict(ContentItem.Source.choices)
# A served card whose item was deleted since has neither kind nor source.
DELETED = "Deleted item"
NOT_RECORDED = "not recorded"
# Amounts of a period without any sale are shown in the catalog's default currency.
DEFAULT_CURRENCY = str(Product._meta.get_field("currency").default)


def percent(fraction: float, *, digits: int = 1) -> str:
    return f"{fraction * 100:.{digits}f} %"


def duration(seconds: float) -> str:
    """``4 min 05 s``, or ``42 s`` under a minute."""
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s" if whole >= 60 else f"{whole} s"


def count(n: float) -> str:
    """A count with thousands separators; a mean under 100 keeps one decimal."""
    return f"{n:,.1f}" if n != int(n) and abs(n) < 100 else f"{round(n):,}"


def amounts(values: dict[str, Decimal]) -> str:
    shown = " · ".join(money(amount, currency) for currency, amount in values.items())
    return shown or money(Decimal(0), DEFAULT_CURRENCY)


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    previous: str
    # "+12.5 %" (relative) or "+0.4 pp" (a rate's difference in points); "" when not comparable.
    change: str
    # "up" | "down" | "flat" | "" (no comparison)
    trend: str
    note: str = ""


def _relative(now: float, before: float) -> tuple[str, str]:
    if not before:
        return "", ""
    change = (now - before) / before
    return f"{change * 100:+.1f} %", _trend(change)


def _points(now: float, before: float) -> tuple[str, str]:
    change = now - before
    return f"{change * 100:+.2f} pp", _trend(change)


def _trend(change: float) -> str:
    return "flat" if abs(change) < 1e-12 else "up" if change > 0 else "down"


def _impressions(totals: Totals) -> int:
    return totals.impressions


def _active(totals: Totals) -> int:
    return totals.active_shopper_days


def headline(dashboard: KpiDashboard) -> list[Headline]:
    """The period's main figures against the period before, compared only when that one was fully
    recorded: amounts by their relative change, rates by their difference in points (and only when
    the period before had some of the rate's denominator)."""
    now, before = dashboard.current, dashboard.previous

    def item(label: str, show: Any, value: Any, *, per: Any = None, note: str = "") -> Headline:
        current, previous = value(now), value(before)
        change, trend = "", ""
        if dashboard.previous_complete:
            if per is None:
                change, trend = _relative(current, previous)
            elif per(before):
                change, trend = _points(current, previous)
        return Headline(label, show(current), show(previous) if before.recorded else "–", change, trend, note)

    def fine(fraction: float) -> str:
        return percent(fraction, digits=2)

    items = [
        item("Active shoppers per day", count, lambda t: t.daily_active),
        item("Feed sessions", count, lambda t: t.feed_sessions),
        item("Time in feed per active shopper", duration, lambda t: t.time_in_feed),
        item(
            "Click-through",
            percent,
            lambda t: t.click_through,
            per=_impressions,
            note="opens and product clicks per impression",
        ),
        item("Add-to-cart rate", fine, lambda t: t.cart_rate, per=_impressions, note="per impression"),
        item("Conversion", fine, lambda t: t.conversion, per=_active, note="active shoppers who ordered"),
    ]
    several = len(dashboard.currencies) > 1
    for currency in dashboard.currencies or [DEFAULT_CURRENCY]:
        suffix = f" ({currency})" if several else ""

        def amount(value: Decimal, currency: str = currency) -> str:
            return money(value, currency)

        items += [
            item(f"Revenue{suffix}", amount, lambda t, c=currency: t.revenue.get(c, Decimal(0))),
            item(f"Order value{suffix}", amount, lambda t, c=currency: t.order_value(c)),
        ]
    items.append(item("New posts", count, lambda t: t.new_items))
    return items


# The tables' columns, in order.
FIGURE_COLUMNS = (
    "Active shoppers",
    "Feed sessions",
    "Time in feed per active shopper",
    "Click-through",
    "Add-to-cart rate",
    "Shoppers who added",
    "Conversion",
    "Orders",
    "Revenue",
    "Order value",
)


def figure_cells(totals: Totals, currencies: list[str]) -> list[str]:
    return [
        count(totals.daily_active),
        count(totals.feed_sessions),
        duration(totals.time_in_feed),
        percent(totals.click_through),
        percent(totals.cart_rate, digits=2),
        f"{totals.cart_shoppers:,} ({percent(totals.cart_share)})",
        f"{totals.active_buyers:,} ({percent(totals.conversion, digits=2)})",
        count(totals.orders),
        amounts({c: totals.revenue.get(c, Decimal(0)) for c in currencies}),
        amounts({c: totals.order_value(c) for c in currencies}),
    ]


def mix_columns(dashboard: KpiDashboard) -> tuple[list[str], list[str], list[str]]:
    """The kinds and sources of the content table: every known one, and "deleted" only when served."""
    deleted = any(day.totals and day.totals.served_kinds.get("") for day in dashboard.series)
    kinds = [*KINDS, *([""] if deleted else [])]
    sources = [*SOURCES, *([""] if deleted else [])]
    return kinds, sources, list(KINDS)


def mix_cells(totals: Totals, kinds: list[str], sources: list[str]) -> list[str]:
    served = totals.served_cards
    return [
        count(served),
        *(percent(totals.served_kinds.get(kind, 0) / served if served else 0) for kind in kinds),
        *(percent(totals.served_sources.get(source, 0) / served if served else 0) for source in sources),
        *(count(totals.published.get(kind, 0)) for kind in KINDS),
    ]


def _label(day: Day) -> str:
    return f"{day.day:%a %-d %b}" + (" (today, so far)" if day.today else "")


def rows(dashboard: KpiDashboard) -> list[dict[str, Any]]:
    """The daily tables, newest day first (today first)."""
    kinds, sources, _ = mix_columns(dashboard)
    return [
        {
            "iso": day.day.isoformat(),
            "label": _label(day),
            "today": day.today,
            "figures": figure_cells(day.totals, dashboard.currencies) if day.totals else None,
            "mix": mix_cells(day.totals, kinds, sources) if day.totals else None,
        }
        for day in reversed(dashboard.series)
    ]


def _series(days: list[Day], value: Any, digits: int = 4) -> list[float | None]:
    return [None if day.totals is None else round(float(value(day.totals)), digits) for day in days]


def chart_data(dashboard: KpiDashboard) -> dict[str, Any]:
    """What the charts draw: one value per day (the period's, then today's), None for a day not recorded."""
    days = dashboard.series
    kinds, sources, _ = mix_columns(dashboard)
    currencies = dashboard.currencies

    def share(counts: str, key: str) -> Any:
        return lambda t: 100 * getattr(t, counts).get(key, 0) / t.served_cards if t.served_cards else 0

    return {
        "dates": [day.day.isoformat() for day in days],
        "today": days[-1].day.isoformat(),
        "active": _series(days, lambda t: t.active_shopper_days),
        "sessions": _series(days, lambda t: t.feed_sessions),
        "time_in_feed": _series(days, lambda t: t.time_in_feed / 60, 2),
        "click_through": _series(days, lambda t: 100 * t.click_through, 2),
        "cart_rate": _series(days, lambda t: 100 * t.cart_rate, 2),
        "cart_share": _series(days, lambda t: 100 * t.cart_share, 2),
        "conversion": _series(days, lambda t: 100 * t.conversion, 2),
        "revenue": {c: _series(days, lambda t, c=c: t.revenue.get(c, Decimal(0)), 2) for c in currencies},
        "order_value": {c: _series(days, lambda t, c=c: t.order_value(c), 2) for c in currencies},
        "served_kinds": {KINDS.get(k, DELETED): _series(days, share("served_kinds", k), 2) for k in kinds},
        "served_sources": {SOURCES.get(s, DELETED): _series(days, share("served_sources", s), 2) for s in sources},
        "published": {KINDS[k]: _series(days, lambda t, k=k: t.published.get(k, 0), 0) for k in KINDS},
    }


def context(dashboard: KpiDashboard) -> dict[str, Any]:
    kinds, sources, new_kinds = mix_columns(dashboard)
    return {
        "dashboard": dashboard,
        "headline": headline(dashboard),
        "figure_columns": FIGURE_COLUMNS,
        "mix_kinds": [KINDS.get(k, DELETED) for k in kinds],
        "mix_sources": [SOURCES.get(s, DELETED) for s in sources],
        "new_kinds": [KINDS[k] for k in new_kinds],
        "period_cells": figure_cells(dashboard.current, dashboard.currencies),
        "period_mix": mix_cells(dashboard.current, kinds, sources),
        "rows": rows(dashboard),
        "chart_data": chart_data(dashboard),
        "not_recorded": NOT_RECORDED,
    }


def days_label(first: date, last: date) -> str:
    return f"{first:%-d %b %Y} – {last:%-d %b %Y}"
