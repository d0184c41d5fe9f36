"""Activity in the lookback: by hand, and the database's route equal to the History route."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest

from experiments.segments.activity import PaidOrders, activity_as_of, activity_load, activity_of_history
from ranking.history import history_load
from tests.experiments.segments.conftest import AS_OF, days_before, order_at
from tests.factories import InteractionFactory, OrderFactory, ShopperFactory

pytestmark = pytest.mark.django_db


def test_figures_by_hand(item):
    shopper = ShopperFactory()
    # Two events on one UTC day, one the day before (23:30 and 00:30 are different days), one
    # impression 10 days back; the last at 00:31, 11 h 29 min before AS_OF.
    late = AS_OF.replace(hour=0, minute=30)
    for when in (late, late + timedelta(minutes=1), late - timedelta(hours=1), days_before(10)):
        InteractionFactory(shopper=shopper, content=item, type="view", occurred_at=when)
    InteractionFactory(shopper=shopper, content=item, type="impression", occurred_at=days_before(10))
    # Orders: one paid in the window, one paid the day after the lookback starts, one paid too
    # early, one cancelled, one after AS_OF.
    order_at(OrderFactory(shopper=shopper, total=Decimal("12.50")), days_before(2))
    order_at(OrderFactory(shopper=shopper, total=Decimal("7.50")), days_before(179))
    order_at(OrderFactory(shopper=shopper, total=Decimal("99")), days_before(181))
    order_at(OrderFactory(shopper=shopper, total=Decimal("99"), status="cancelled"), days_before(3))
    order_at(OrderFactory(shopper=shopper, total=Decimal("99")), AS_OF + timedelta(hours=1))

    activity = activity_load(as_of=AS_OF)

    assert activity.shopper.tolist() == [shopper.pk]
    assert activity.recency_days.tolist() == [pytest.approx((11 + 29 / 60) / 24)]
    # days: AS_OF's, the day before (23:30), 2 (order), 10, 179 (order)
    assert activity.active_days.tolist() == [5]
    assert activity.orders.tolist() == [2]
    assert activity.spend.tolist() == [pytest.approx(20.0)]


def test_the_history_route_equals_the_database_route(item):
    rng = np.random.default_rng(3)
    shoppers = [ShopperFactory() for _ in range(12)]
    for shopper in shoppers:
        for _ in range(int(rng.integers(1, 15))):
            InteractionFactory(
                shopper=shopper, content=item, type="view", occurred_at=days_before(float(rng.uniform(0, 220)))
            )
        for _ in range(int(rng.integers(0, 3))):
            order = OrderFactory(shopper=shopper, total=Decimal(str(round(float(rng.uniform(5, 80)), 2))))
            order_at(order, days_before(float(rng.uniform(0, 220))))

    by_database = activity_load(as_of=AS_OF)
    history = history_load()
    by_history = activity_of_history(history, np.full(history.nu, AS_OF.timestamp()), PaidOrders.load())

    assert len(by_database) > 5
    assert by_history.shopper.tolist() == by_database.shopper.tolist()
    assert np.allclose(by_history.recency_days, by_database.recency_days, rtol=0, atol=1e-6)
    assert by_history.active_days.tolist() == by_database.active_days.tolist()
    assert by_history.orders.tolist() == by_database.orders.tolist()
    assert np.allclose(by_history.spend, by_database.spend)


def test_each_shopper_of_a_history_is_measured_at_their_own_moment(item):
    early, late = ShopperFactory(), ShopperFactory()
    for shopper in (early, late):
        for days in (30, 20, 10):
            InteractionFactory(shopper=shopper, content=item, occurred_at=days_before(days))
    history = history_load()
    when = np.empty(history.nu)
    when[history.shopper_index[early.pk]] = days_before(15).timestamp()
    when[history.shopper_index[late.pk]] = AS_OF.timestamp()

    activity = activity_of_history(history, when, PaidOrders.load())

    figures = dict(
        zip(activity.shopper.tolist(), zip(activity.recency_days, activity.active_days, strict=True), strict=True)
    )
    assert figures[early.pk] == (pytest.approx(5.0), 2)  # the event 10 days back is after their moment
    assert figures[late.pk] == (pytest.approx(10.0), 3)


def test_segments_are_measured_as_of_the_newest_activity_not_the_wall_clock(item):
    InteractionFactory(content=item, occurred_at=days_before(400))
    order_at(OrderFactory(), days_before(380))

    assert activity_as_of() == days_before(380)
