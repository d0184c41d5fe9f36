"""A period read from the rollup: its days, totals and rates, the period before, and today apart."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from experiments.kpis.models import KpiDay
from experiments.kpis.selectors import Totals, dashboard_span, kpi_dashboard, period_bounds

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 20)


def day_row(day: date, **figures: object) -> KpiDay:
    return KpiDay(day=day, computed_at=NOW, **figures)


TWO_DAYS = [
    day_row(
        date(2026, 3, 1),
        active_shoppers=10,
        dwell_ms=600_000,
        impressions=100,
        opens=5,
        product_clicks=5,
        add_to_carts=2,
        cart_shoppers=2,
        orders=2,
        buyers=2,
        active_buyers=1,
        sales={"EUR": {"orders": 2, "revenue": "50.00"}},
        served_kinds={"video": 6, "image": 2},
        published={"video": 1},
    ),
    day_row(
        date(2026, 3, 2),
        active_shoppers=30,
        dwell_ms=300_000,
        impressions=300,
        opens=3,
        add_to_carts=1,
        cart_shoppers=1,
        orders=2,
        buyers=2,
        active_buyers=2,
        sales={"EUR": {"orders": 1, "revenue": "40.00"}, "USD": {"orders": 1, "revenue": "10.00"}},
        served_kinds={"video": 2},
        published={"image": 3},
    ),
]


def test_rates_over_days_are_ratios_of_the_sums():
    totals = Totals.of(TWO_DAYS)

    assert totals.recorded == 2
    assert totals.daily_active == 20.0
    assert totals.time_in_feed == 22.5  # 900 s over 40 shopper-days
    # 13 clicks over 400 impressions; the mean of the two days' rates would be 5.5 %.
    assert totals.click_through == pytest.approx(0.0325, abs=1e-15)
    assert totals.cart_rate == pytest.approx(0.0075, abs=1e-15)
    assert totals.cart_share == pytest.approx(0.075, abs=1e-15)
    assert totals.conversion == pytest.approx(0.075, abs=1e-15)
    assert totals.revenue == {"EUR": Decimal("90.00"), "USD": Decimal("10.00")}
    assert (totals.order_value("EUR"), totals.order_value("USD"), totals.order_value("GBP")) == (
        Decimal("30.00"),
        Decimal("10.00"),
        Decimal("0"),
    )
    assert (totals.served_cards, dict(totals.served_kinds)) == (10, {"video": 8, "image": 2})
    assert (totals.new_items, dict(totals.published)) == (4, {"video": 1, "image": 3})


def test_a_day_with_nothing_has_zero_rates_not_gaps():
    quiet = Totals.of([day_row(TODAY)])

    assert (quiet.recorded, quiet.daily_active, quiet.time_in_feed) == (1, 0.0, 0.0)
    assert (quiet.click_through, quiet.cart_rate, quiet.cart_share, quiet.conversion) == (0.0, 0.0, 0.0, 0.0)
    assert quiet.revenue == {}


def test_a_period_is_the_whole_days_before_today_and_the_span_reaches_back_over_the_period_before():
    assert period_bounds(days=7, now=NOW) == (date(2026, 3, 13), date(2026, 3, 19))
    assert period_bounds(days=1, now=datetime(2026, 3, 20, 0, 0, tzinfo=UTC)) == (date(2026, 3, 19), date(2026, 3, 19))
    assert dashboard_span(days=7, now=NOW) == (date(2026, 3, 6), TODAY)


def _fill(first: date, last: date) -> None:
    day = first
    while day <= last:
        KpiDay.objects.create(day=day, computed_at=NOW, impressions=day.day, active_shoppers=1)
        day += timedelta(days=1)


def test_the_dashboard_reads_the_period_the_one_before_and_today_in_one_query(django_assert_num_queries):
    _fill(date(2026, 3, 1), TODAY)

    with django_assert_num_queries(1):
        dashboard = kpi_dashboard(days=7, now=NOW)

    assert (dashboard.first, dashboard.last) == (date(2026, 3, 13), date(2026, 3, 19))
    assert [d.day.day for d in dashboard.series] == [13, 14, 15, 16, 17, 18, 19, 20]
    assert [d.today for d in dashboard.series] == [False] * 7 + [True]
    assert dashboard.current.impressions == sum(range(13, 20))
    assert dashboard.previous.impressions == sum(range(6, 13))
    assert (dashboard.current.recorded, dashboard.previous.recorded, dashboard.previous_complete) == (7, 7, True)
    assert dashboard.today.totals is not None
    assert dashboard.today.totals.impressions == 20
    assert dashboard.today_counted_at == NOW


def test_days_never_counted_are_gaps_and_make_the_period_before_incomplete():
    _fill(date(2026, 3, 7), date(2026, 3, 15))
    _fill(date(2026, 3, 17), date(2026, 3, 19))

    dashboard = kpi_dashboard(days=7, now=NOW)

    assert [d.totals is None for d in dashboard.series] == [False, False, False, True, False, False, False, True]
    assert dashboard.current.recorded == 6
    assert (dashboard.previous.recorded, dashboard.previous_complete) == (6, False)
    assert dashboard.today_counted_at is None


def test_the_currencies_are_those_sold_in_the_period_or_today():
    KpiDay.objects.create(day=date(2026, 3, 8), computed_at=NOW, sales={"GBP": {"orders": 1, "revenue": "1.00"}})
    KpiDay.objects.create(day=date(2026, 3, 14), computed_at=NOW, sales={"USD": {"orders": 1, "revenue": "1.00"}})
    KpiDay.objects.create(day=TODAY, computed_at=NOW, sales={"EUR": {"orders": 1, "revenue": "1.00"}})

    assert kpi_dashboard(days=7, now=NOW).currencies == ["EUR", "USD"]
