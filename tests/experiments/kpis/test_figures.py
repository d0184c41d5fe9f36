"""Each day's figures against a day of events, pages, orders and posts counted by hand."""

import uuid
from datetime import date, timedelta

import pytest

from experiments.kpis.figures import DayFigures, day_figures, served_cards_python, served_cards_sql
from experiments.kpis.models import day_start
from tests.experiments.kpis.conftest import DAY_FIGURES, at, build_day, event, order, page

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 10)


def test_a_day_is_counted_exactly_as_by_hand():
    build_day(DAY)

    figures = day_figures(first=DAY, last=DAY)

    assert figures == {DAY: DAY_FIGURES}


def test_the_rows_just_outside_a_day_count_on_the_days_either_side_and_a_quiet_day_is_zeros():
    build_day(DAY)
    before, after, quiet = DAY - timedelta(days=1), DAY + timedelta(days=1), DAY + timedelta(days=2)

    figures = day_figures(first=before, last=quiet)

    assert list(figures) == [before, DAY, after, quiet]
    assert figures[DAY] == DAY_FIGURES
    assert figures[before] == DayFigures(
        active_shoppers=1,
        feed_sessions=1,
        pages_served=1,
        impressions=1,
        served_kinds={"video": 1},
        served_sources={"ugc": 1},
        published={"product_card": 1},
    )
    # cy ordered after midnight without a visit that day: a buyer, not an active one.
    assert figures[after] == DayFigures(
        active_shoppers=1,
        impressions=1,
        orders=1,
        buyers=1,
        active_buyers=0,
        sales={"EUR": {"orders": 1, "revenue": "8.00"}},
    )
    assert figures[quiet] == DayFigures()


def test_a_shopper_counts_once_a_day_however_many_events_sessions_and_orders():
    feed = build_day(DAY)
    ann, video = feed.shoppers["ann"], feed.items["video"]
    for minute in range(5):
        event(ann, video, "add_to_cart", at(DAY, 16, minute))
    order(ann, "1.00", at(DAY, 17))

    figures = day_figures(first=DAY, last=DAY)[DAY]

    assert (figures.active_shoppers, figures.cart_shoppers, figures.add_to_carts) == (3, 2, 8)
    assert (figures.orders, figures.buyers, figures.active_buyers) == (5, 4, 2)
    assert figures.sales["EUR"] == {"orders": 4, "revenue": "48.50"}


@pytest.mark.postgresql_only
@pytest.mark.parametrize("days", [1, 181])
def test_a_range_of_days_costs_one_grouped_query_per_figure(django_assert_num_queries, days):
    build_day(DAY)

    with django_assert_num_queries(6):
        figures = day_figures(first=DAY - timedelta(days=days - 1), last=DAY)

    assert len(figures) == days
    assert figures[DAY] == DAY_FIGURES


def test_an_empty_range_counts_nothing():
    assert day_figures(first=DAY, last=DAY - timedelta(days=1)) == {}


@pytest.mark.postgresql_only
def test_the_served_cards_counted_in_postgresql_equal_the_plain_count():
    feed = build_day(DAY)
    # More pages over three days, one of them with a card shown twice.
    for n in range(3):
        page(feed.shoppers["bob"], uuid.uuid4(), [feed.items["post"].pk] * 2, at(DAY, 20 + n))
    start, end = day_start(DAY - timedelta(days=1)), day_start(DAY + timedelta(days=2))

    fast = served_cards_sql(start=start, end=end)

    assert fast == served_cards_python(start=start, end=end)
    assert fast[(DAY, "brand_post", "editorial")] == 7
    assert fast[(DAY, "", "")] == 1
    assert sum(fast.values()) == 8 + 6 + 1
