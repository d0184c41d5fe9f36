"""The rollup: which days are counted again, what is stored, what is kept."""

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command

from experiments.kpis import services
from experiments.kpis.figures import DayFigures
from experiments.kpis.figures import day_figures as figures
from experiments.kpis.models import KpiDay
from experiments.kpis.services import (
    LOOKBACK_DAYS,
    first_countable_day,
    kpi_days_due,
    kpi_days_refresh,
    kpi_days_rollup,
    kpi_recent_refresh,
)
from tests.experiments.kpis.conftest import DAY_FIGURES, at, build_day, event

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)


def stored(day: date) -> DayFigures:
    row = KpiDay.objects.values(*asdict(DayFigures())).get(day=day)
    return DayFigures(**row)


def row(day: date, computed_at: datetime, **figures: object) -> KpiDay:
    return KpiDay.objects.create(day=day, computed_at=computed_at, **figures)


def test_the_rollup_stores_every_day_of_the_range_zeros_included(settings):
    settings.EVENT_RETENTION_DAYS = 90
    build_day(DAY)

    counted = kpi_days_rollup(first=DAY - timedelta(days=2), last=DAY + timedelta(days=2), now=NOW)

    assert counted == [DAY + timedelta(days=n) for n in range(-2, 3)]
    assert stored(DAY) == DAY_FIGURES
    assert stored(DAY + timedelta(days=2)) == DayFigures()
    assert set(KpiDay.objects.values_list("computed_at", flat=True)) == {NOW}


def test_counting_a_day_again_replaces_its_row(settings):
    settings.EVENT_RETENTION_DAYS = 90
    feed = build_day(DAY)
    kpi_days_rollup(first=DAY, last=DAY, now=NOW)
    event(feed.shoppers["dee"], feed.items["video"], "impression", at(DAY, 18))

    kpi_days_rollup(first=DAY, last=DAY, now=NOW + timedelta(hours=1))

    assert KpiDay.objects.count() == 1
    assert (stored(DAY).active_shoppers, stored(DAY).impressions, stored(DAY).active_buyers) == (4, 7, 3)
    assert KpiDay.objects.get().computed_at == NOW + timedelta(hours=1)


def test_the_rollup_counts_no_day_after_today_nor_before_the_retention_window(settings):
    settings.EVENT_RETENTION_DAYS = 5
    old = row(TODAY - timedelta(days=6), NOW - timedelta(days=5), impressions=77)

    counted = kpi_days_rollup(first=TODAY - timedelta(days=10), last=TODAY + timedelta(days=3), now=NOW)

    # The window began at noon five days ago: that day may have lost its morning to the purge.
    assert first_countable_day(now=NOW) == TODAY - timedelta(days=4)
    assert counted == [TODAY - timedelta(days=n) for n in range(4, -1, -1)]
    old.refresh_from_db()
    assert (old.impressions, old.computed_at) == (77, NOW - timedelta(days=5))


def test_the_first_countable_day_is_the_cut_itself_at_midnight(settings):
    settings.EVENT_RETENTION_DAYS = 5

    assert first_countable_day(now=datetime(2026, 3, 20, 0, 0, tzinfo=UTC)) == date(2026, 3, 15)
    assert first_countable_day(now=datetime(2026, 3, 20, 0, 0, 1, tzinfo=UTC)) == date(2026, 3, 16)


@pytest.mark.parametrize(
    ("day", "computed_at", "due"),
    [
        (TODAY, None, True),
        (TODAY, NOW - timedelta(minutes=19), False),
        (TODAY, NOW - timedelta(minutes=20), True),
        # Yesterday counted before its end: due until counted two hours past midnight.
        (TODAY - timedelta(days=1), datetime(2026, 3, 19, 23, 50, tzinfo=UTC), True),
        (TODAY - timedelta(days=1), datetime(2026, 3, 20, 1, 59, tzinfo=UTC), True),
        (TODAY - timedelta(days=1), datetime(2026, 3, 20, 2, 0, tzinfo=UTC), False),
        (TODAY - timedelta(days=30), datetime(2026, 2, 19, 9, 0, tzinfo=UTC), False),
        (TODAY - timedelta(days=30), None, True),
        # Before the retention window: never, even without a row.
        (TODAY - timedelta(days=95), None, False),
    ],
)
def test_which_days_are_due(settings, day, computed_at, due):
    settings.EVENT_RETENTION_DAYS = 90
    if computed_at is not None:
        row(day, computed_at)

    assert kpi_days_due(first=day, last=day, now=NOW) == ([day] if due else [])


def test_a_refresh_counts_the_due_days_only_in_runs_of_consecutive_days(settings, monkeypatch):
    settings.EVENT_RETENTION_DAYS = 90
    for n in (1, 2, 5, 6, 7):
        row(TODAY - timedelta(days=n), NOW - timedelta(days=n - 1), impressions=n)
    passes = []
    monkeypatch.setattr(
        services, "day_figures", lambda *, first, last: passes.append((first, last)) or figures(first=first, last=last)
    )

    counted = kpi_days_refresh(first=TODAY - timedelta(days=7), last=TODAY, now=NOW)

    # Missing: today, 3 and 4 days ago; the rest settled and kept.
    assert counted == [TODAY - timedelta(days=4), TODAY - timedelta(days=3), TODAY]
    assert passes == [(TODAY - timedelta(days=4), TODAY - timedelta(days=3)), (TODAY, TODAY)]
    assert dict(KpiDay.objects.values_list("day", "impressions")) == {
        **{TODAY - timedelta(days=n): n for n in (1, 2, 5, 6, 7)},
        **{TODAY - timedelta(days=n): 0 for n in (0, 3, 4)},
    }


def test_the_beat_refresh_counts_today_however_fresh_and_everything_the_dashboard_can_show(settings):
    settings.EVENT_RETENTION_DAYS = 400
    early = datetime(2026, 3, 20, 1, 0, tzinfo=UTC)
    kpi_days_rollup(first=TODAY - timedelta(days=LOOKBACK_DAYS), last=TODAY, now=early)

    again = kpi_recent_refresh(now=early + timedelta(minutes=1))
    later = kpi_recent_refresh(now=NOW)

    assert KpiDay.objects.count() == LOOKBACK_DAYS + 1
    # At 01:01 yesterday has not settled yet (counted at 01:00); today is always counted again.
    assert again == [TODAY - timedelta(days=1), TODAY]
    assert later == [TODAY - timedelta(days=1), TODAY]
    assert kpi_recent_refresh(now=NOW + timedelta(minutes=1)) == [TODAY]


def test_the_command_counts_again_from_a_day(settings, capsys, monkeypatch):
    settings.EVENT_RETENTION_DAYS = 90
    build_day(DAY)
    row(DAY, NOW, impressions=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)

    call_command("kpi_rollup", "--since", DAY.isoformat())

    assert stored(DAY) == DAY_FIGURES
    assert KpiDay.objects.count() == 11
    assert capsys.readouterr().out == "Counted 11 day(s), 2026-03-10 to 2026-03-20.\n"
