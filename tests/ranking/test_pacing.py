"""Against the real-time store from REDIS_URL (flushed before each test by tests/conftest.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from feedsite import realtime
from ranking import pacing

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_an_item_is_over_budget_once_it_had_its_daily_impressions():
    pacing.spend([1, 2], now=NOON)
    pacing.spend([1], now=NOON)

    assert pacing.over_budget([1, 2, 3], budget=2, now=NOON) == {1}
    assert pacing.over_budget([1, 2, 3], budget=1, now=NOON) == {1, 2}


def test_zero_budget_means_no_budget():
    pacing.spend([1] * 5, now=NOON)

    assert pacing.over_budget([1], budget=0, now=NOON) == set()


def test_budgets_start_again_each_utc_day_and_the_count_expires():
    pacing.spend([1], now=NOON)

    assert pacing.over_budget([1], budget=1, now=NOON + timedelta(hours=11, minutes=59)) == {1}
    assert pacing.over_budget([1], budget=1, now=NOON + timedelta(hours=12)) == set()
    ttl = realtime.client().ttl(pacing.day_key(NOON))
    assert 0 < ttl <= pacing.KEY_TTL_SECONDS


@pytest.mark.usefixtures("realtime_down")
def test_with_the_store_down_nothing_is_over_budget_and_spending_does_not_fail():
    pacing.spend([1, 1, 1])

    assert pacing.over_budget([1], budget=1) == set()
