"""The beat task that keeps the rollup current."""

from datetime import timedelta

import pytest
from django.utils import timezone

from experiments.kpis.models import KpiDay
from experiments.kpis.services import LOOKBACK_DAYS
from experiments.kpis.tasks import rollup_recent
from feedsite.celery import app

pytestmark = pytest.mark.django_db


def test_the_beat_runs_the_rollup_every_quarter_hour(settings):
    assert settings.CELERY_BEAT_SCHEDULE["experiments-kpis-rollup"] == {
        "task": "experiments.kpis.rollup_recent",
        "schedule": 15 * 60.0,
    }
    assert app.tasks["experiments.kpis.rollup_recent"].run is rollup_recent.run


def test_the_task_counts_every_day_the_dashboard_can_show_then_today_again(settings):
    settings.EVENT_RETENTION_DAYS = 365
    today = timezone.now().date()

    first = rollup_recent.apply().get()
    KpiDay.objects.filter(day=today).update(impressions=5)
    second = rollup_recent.apply().get()

    assert first == {"days": LOOKBACK_DAYS + 1, "first": (today - timedelta(days=LOOKBACK_DAYS)).isoformat()}
    # Yesterday too while it settles in the first two hours of a day.
    assert second["days"] in (1, 2)
    assert KpiDay.objects.get(day=today).impressions == 0
