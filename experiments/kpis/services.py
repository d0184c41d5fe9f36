"""Writes of the KPI rollup: compute days' figures (``figures.day_figures``) into ``KpiDay`` rows.

When a day is computed again:

- today: by the beat task every 15 minutes, and by a view of the dashboard that finds its row older
  than ``STALE`` (the beat is late or not running: on a busy shop a day takes seconds to count);
- a past day: when it has no row, or until it has been counted ``SETTLE`` after its end, so that
  events that arrive late (the event stream's lag, an app sending what it kept offline) are in;
- never a day that began before the event retention window (``EVENT_RETENTION_DAYS``): the purge
  may have deleted some of its events, and its row keeps what was counted while they were there.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from experiments.kpis.figures import DayFigures, day_figures
from experiments.kpis.models import KpiDay, day_start

STALE = timedelta(minutes=20)
SETTLE = timedelta(hours=2)
# The longest period the dashboard shows (90 days) and the one it is compared with.
LOOKBACK_DAYS = 180
_FIGURES = [f.name for f in fields(DayFigures)]


def first_countable_day(*, now: datetime) -> date:
    """The first UTC day all of whose events are still stored: it began inside the retention window."""
    cut = now - timedelta(days=settings.EVENT_RETENTION_DAYS)
    day = cut.astimezone(UTC).date()
    return day if day_start(day) >= cut else day + timedelta(days=1)


def kpi_days_rollup(*, first: date, last: date, now: datetime | None = None) -> list[date]:
    """Count every day from ``first`` to ``last`` (clipped to today and to the days still
    countable) and store it, replacing what was there; returns the days stored.

    ``computed_at`` is the moment before counting began: whatever arrived after it is counted by
    the next run. Safe to run twice and side by side (an upsert on ``day``).
    """
    now = now or timezone.now()
    first = max(first, first_countable_day(now=now))
    last = min(last, now.astimezone(UTC).date())
    counted = day_figures(first=first, last=last)
    rows = [KpiDay(day=day, computed_at=now, **asdict(figures)) for day, figures in counted.items()]
    with transaction.atomic():
        KpiDay.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["day"], update_fields=["computed_at", *_FIGURES]
        )
    return list(counted)


def kpi_days_due(*, first: date, last: date, now: datetime, stale: timedelta = STALE) -> list[date]:
    """The days from ``first`` to ``last`` that need counting (see the module's rules), oldest first."""
    first = max(first, first_countable_day(now=now))
    last = min(last, now.astimezone(UTC).date())
    stored = dict(KpiDay.objects.filter(day__gte=first, day__lte=last).values_list("day", "computed_at"))
    due = []
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        computed_at = stored.get(day)
        settled = computed_at is not None and computed_at >= day_start(day) + timedelta(days=1) + SETTLE
        if computed_at is None or (not settled and computed_at <= now - stale):
            due.append(day)
    return due


def kpi_days_refresh(*, first: date, last: date, now: datetime | None = None, stale: timedelta = STALE) -> list[date]:
    """Count the days from ``first`` to ``last`` that are due (``kpi_days_due``), each run of
    consecutive days in one pass; returns the days counted."""
    now = now or timezone.now()
    due = kpi_days_due(first=first, last=last, now=now, stale=stale)
    counted: list[date] = []
    for run in _runs(due):
        counted += kpi_days_rollup(first=run[0], last=run[-1], now=now)
    return counted


def kpi_recent_refresh(*, now: datetime | None = None) -> list[date]:
    """What the beat task does: today, and every day the dashboard can show that is due."""
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    return kpi_days_refresh(first=today - timedelta(days=LOOKBACK_DAYS), last=today, now=now, stale=timedelta(0))


def _runs(days: list[date]) -> list[list[date]]:
    """Sorted days cut into runs of consecutive days."""
    runs: list[list[date]] = []
    for day in days:
        if runs and runs[-1][-1] + timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs
