"""The dashboard page in the admin: who sees it, what it shows of a known day, what a view counts."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from experiments.kpis.models import KpiDay
from feedsite.roles import Role, role_join
from tests.experiments.kpis.conftest import build_day
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("admin:kpis_kpiday_changelist")


def staff(role: Role):
    user = UserFactory(username=role.value, is_staff=True)
    role_join(user=user, role=role)
    return user


def cells(html: str, day: str) -> list[str]:
    """The text of the cells of the daily table's row of ``day`` (ISO)."""
    row = re.search(rf'<tr data-day="{day}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"no row for {day}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(1), re.S)
    ]


def test_a_marketer_finds_the_dashboard_on_the_admin_index_and_reads_a_day_as_counted_by_hand(client):
    day = timezone.now().date() - timedelta(days=3)
    build_day(day)
    client.force_login(staff(Role.MARKETERS))

    index = client.get(reverse("admin:index")).content.decode()
    response = client.get(DASHBOARD)

    assert f'href="{DASHBOARD}"' in index
    assert "Feed KPIs" in index
    assert response.status_code == 200
    html = response.content.decode()
    assert cells(html, day.isoformat()) == [
        f"{day:%a %-d %b}",
        "3",
        "3",
        "3 s",  # 8 s of dwell over 3 active shoppers
        "33.3 %",  # an open and a product click over 6 impressions
        "50.00 %",
        "2 (66.7 %)",
        "2 (66.67 %)",
        "4",
        "€47.50 · $20.00",
        "€15.83 · $20.00",
    ]
    assert '<canvas hidden role="img"' in html
    assert 'id="kpi-data" type="application/json"' in html


def test_staff_who_may_not_view_experiments_neither_see_nor_open_it(client):
    client.force_login(staff(Role.MODERATORS))

    index = client.get(reverse("admin:index")).content.decode()
    response = client.get(DASHBOARD)

    assert DASHBOARD not in index
    assert response.status_code == 403
    assert KpiDay.objects.count() == 0


def test_a_period_outside_the_choices_is_refused_and_the_default_shown(client):
    client.force_login(staff(Role.MARKETERS))

    response = client.get(DASHBOARD, {"days": "12"})

    assert response.status_code == 400
    assert response.context["dashboard"].days == 30
    assert "The period is 7, 30, 90 days; showing the last 30 days instead." in response.content.decode()


@pytest.mark.parametrize("days", [7, 30, 90])
def test_a_view_counts_every_day_it_shows_and_the_period_before(client, settings, days):
    settings.EVENT_RETENTION_DAYS = 365
    client.force_login(staff(Role.MARKETERS))

    response = client.get(DASHBOARD, {"days": str(days)})

    assert response.status_code == 200
    today = timezone.now().date()
    assert KpiDay.objects.count() == 2 * days + 1
    assert KpiDay.objects.order_by("day").first().day == today - timedelta(days=2 * days)
    assert len(response.context["rows"]) == days + 1


def test_days_before_the_retention_window_are_not_counted_and_said_so(client, settings):
    settings.EVENT_RETENTION_DAYS = 90
    client.force_login(staff(Role.MARKETERS))

    response = client.get(DASHBOARD, {"days": "90"})

    today = timezone.now().date()
    # The window began at this moment 90 days ago: that day's first hours may be purged.
    assert KpiDay.objects.order_by("day").first().day == today - timedelta(days=89)
    html = response.content.decode()
    oldest = today - timedelta(days=90)
    assert cells(html, oldest.isoformat()) == [f"{oldest:%a %-d %b}", "not recorded"]
    assert cells(html, (oldest + timedelta(days=1)).isoformat())[1] == "0"
    assert "The 90 days before were not all recorded (0 of 90)" in html


def test_a_view_counts_today_again_only_when_stale(client):
    client.force_login(staff(Role.MARKETERS))
    client.get(DASHBOARD, {"days": "7"})
    today = KpiDay.objects.get(day=timezone.now().date())
    fresh = timezone.now() - timedelta(minutes=16)
    KpiDay.objects.filter(pk=today.pk).update(computed_at=fresh, impressions=99)

    client.get(DASHBOARD, {"days": "7"})
    kept = KpiDay.objects.get(pk=today.pk)
    KpiDay.objects.filter(pk=today.pk).update(computed_at=timezone.now() - timedelta(minutes=21))
    client.get(DASHBOARD, {"days": "7"})
    recounted = KpiDay.objects.get(pk=today.pk)

    assert (kept.computed_at, kept.impressions) == (fresh, 99)
    assert recounted.impressions == 0
    assert recounted.computed_at > fresh


def test_once_counted_a_longer_period_costs_the_same_queries(client):
    client.force_login(staff(Role.MARKETERS))
    client.get(DASHBOARD, {"days": "90"})

    counts = {}
    for days in ("7", "90"):
        with CaptureQueriesContext(connection) as queries:
            client.get(DASHBOARD, {"days": days})
        counts[days] = len(queries)

    assert counts["7"] == counts["90"]
