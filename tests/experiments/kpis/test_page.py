"""The page's headline, cells and chart data, from a dashboard read off known rows."""

from datetime import UTC, date, datetime, timedelta

import pytest

from experiments.kpis import page
from experiments.kpis.models import KpiDay
from experiments.kpis.selectors import kpi_dashboard

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 20)


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0, "0 s"), (42.4, "42 s"), (59.6, "1 min 00 s"), (245, "4 min 05 s"), (3600, "60 min 00 s")]
)
def test_durations(seconds, shown):
    assert page.duration(seconds) == shown


@pytest.mark.parametrize(("n", "shown"), [(0, "0"), (20.0, "20"), (12.5, "12.5"), (1234, "1,234"), (1234.5, "1,234")])
def test_counts(n, shown):
    assert page.count(n) == shown


def _week(first: date, *, active: int, impressions: int, clicks: int, revenue: str, orders: int = 2) -> None:
    for n in range(7):
        KpiDay.objects.create(
            day=first + timedelta(days=n),
            computed_at=NOW,
            active_shoppers=active,
            active_buyers=1,
            impressions=impressions,
            opens=clicks,
            orders=orders,
            sales={"EUR": {"orders": orders, "revenue": revenue}} if orders else {},
        )


def _headline(dashboard):
    return {h.label: (h.value, h.previous, h.change, h.trend) for h in page.headline(dashboard)}


def test_the_headline_compares_amounts_in_percent_and_rates_in_points():
    _week(date(2026, 3, 6), active=16, impressions=400, clicks=10, revenue="30.00")
    _week(date(2026, 3, 13), active=20, impressions=400, clicks=13, revenue="24.00")

    headline = _headline(kpi_dashboard(days=7, now=NOW))

    assert headline["Active shoppers per day"] == ("20", "16", "+25.0 %", "up")
    # 13 / 400 = 3.25 % against 10 / 400 = 2.50 %.
    assert headline["Click-through"] == ("3.2 %", "2.5 %", "+0.75 pp", "up")
    # 7 buyers over 140 shopper-days against 7 over 112.
    assert headline["Conversion"] == ("5.00 %", "6.25 %", "-1.25 pp", "down")
    assert headline["Revenue"] == ("€168.00", "€210.00", "-20.0 %", "down")
    assert headline["Order value"] == ("€12.00", "€15.00", "-20.0 %", "down")
    assert headline["New posts"] == ("0", "0", "", "")


def test_a_rate_is_not_compared_with_a_period_that_had_none_of_its_denominator():
    _week(date(2026, 3, 6), active=16, impressions=0, clicks=0, revenue="0.00", orders=0)
    _week(date(2026, 3, 13), active=20, impressions=400, clicks=13, revenue="24.00")

    headline = _headline(kpi_dashboard(days=7, now=NOW))

    assert headline["Click-through"] == ("3.2 %", "0.0 %", "", "")
    assert headline["Conversion"] == ("5.00 %", "6.25 %", "-1.25 pp", "down")
    assert headline["Revenue"] == ("€168.00", "€0.00", "", "")


def test_without_a_whole_period_before_nothing_is_compared():
    _week(date(2026, 3, 13), active=20, impressions=400, clicks=13, revenue="24.00")
    KpiDay.objects.create(day=date(2026, 3, 12), computed_at=NOW, active_shoppers=5)

    headline = _headline(kpi_dashboard(days=7, now=NOW))

    assert headline["Active shoppers per day"] == ("20", "5", "", "")
    assert headline["Click-through"] == ("3.2 %", "0.0 %", "", "")


def test_the_tables_run_from_today_back_with_gaps_said_and_quiet_days_zero():
    KpiDay.objects.create(day=date(2026, 3, 19), computed_at=NOW)
    KpiDay.objects.create(
        day=TODAY,
        computed_at=NOW,
        active_shoppers=4,
        dwell_ms=500_000,
        impressions=40,
        opens=3,
        product_clicks=1,
        add_to_carts=1,
        cart_shoppers=1,
        orders=2,
        buyers=2,
        active_buyers=1,
        sales={"EUR": {"orders": 1, "revenue": "10.00"}, "USD": {"orders": 1, "revenue": "5.50"}},
        served_kinds={"video": 3, "": 1},
        served_sources={"ugc": 2, "brand": 1, "": 1},
        published={"image": 2},
    )

    dashboard = kpi_dashboard(days=7, now=NOW)
    rows = page.rows(dashboard)

    assert [r["iso"] for r in rows[:3]] == ["2026-03-20", "2026-03-19", "2026-03-18"]
    assert (rows[0]["label"], rows[0]["today"]) == ("Fri 20 Mar (today, so far)", True)
    assert rows[0]["figures"] == [
        "4",
        "0",
        "2 min 05 s",
        "10.0 %",
        "2.50 %",
        "1 (25.0 %)",
        "1 (25.00 %)",
        "2",
        "€10.00 · $5.50",
        "€10.00 · $5.50",
    ]
    # Kinds video, image, product card, brand post, deleted; sources ugc, brand, editorial, promoted,
    # deleted; new posts by kind.
    assert rows[0]["mix"] == [
        "4",
        *("75.0 %", "0.0 %", "0.0 %", "0.0 %", "25.0 %"),
        *("50.0 %", "25.0 %", "0.0 %", "0.0 %", "25.0 %"),
        *("0", "2", "0", "0"),
    ]
    assert rows[1]["figures"] == [
        "0",
        "0",
        "0 s",
        "0.0 %",
        "0.00 %",
        "0 (0.0 %)",
        "0 (0.00 %)",
        "0",
        "€0.00 · $0.00",
        "€0.00 · $0.00",
    ]
    assert (rows[2]["figures"], rows[2]["mix"]) == (None, None)


def test_the_chart_data_has_a_value_per_day_none_for_a_gap_and_today_last():
    KpiDay.objects.create(day=date(2026, 3, 18), computed_at=NOW, active_shoppers=2, impressions=50, opens=5)
    KpiDay.objects.create(day=date(2026, 3, 19), computed_at=NOW)

    data = page.chart_data(kpi_dashboard(days=3, now=NOW))

    assert data["dates"] == ["2026-03-17", "2026-03-18", "2026-03-19", "2026-03-20"]
    assert data["today"] == "2026-03-20"
    assert data["active"] == [None, 2, 0, None]
    assert data["click_through"] == [None, 10.0, 0.0, None]
    assert data["served_kinds"] == {
        label: [None, 0, 0, None] for label in ("Video", "Image", "Product card", "Brand post")
    }
    assert data["revenue"] == {}
