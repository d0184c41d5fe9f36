import csv
import io
import json
import re

import pytest
from django.utils import timezone

from content.models import Creator
from profiles.dashboard import views
from profiles.dashboard.payload import stats_payload
from profiles.events.creator_stats import creator_stats
from tests.factories import CreatorFactory, UserFactory
from tests.profiles.dashboard.conftest import item_rows

pytestmark = pytest.mark.django_db

PAGE, CSV = "/studio/dashboard", "/studio/dashboard.csv"


@pytest.mark.parametrize("url", [PAGE, CSV])
def test_a_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, f"/signin?next={url}")


@pytest.mark.parametrize("url", [PAGE, CSV])
@pytest.mark.parametrize("status", [None, Creator.Status.APPLIED, Creator.Status.DECLINED])
def test_anyone_but_an_approved_creator_is_refused(client, studio, url, status):
    user = UserFactory() if status is None else CreatorFactory(status=status).user
    client.force_login(user)

    response = client.get(url)

    assert response.status_code == 403
    assert b"glowlab" not in response.content
    assert b"Morning glow" not in response.content


def test_the_page_shows_each_post_with_its_status_reason_and_figures(client, studio):
    client.force_login(studio.creator.user)

    response = client.get(PAGE, {"days": "7"})

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    rows = item_rows(response.content.decode())
    assert list(rows) == [studio.rejected.pk, studio.image.pk, studio.video.pk]
    assert rows[studio.video.pk][1:] == ["Published", "3", "2", "50 %", "1", "0", "0", "1", "1"]
    assert rows[studio.image.pk][1:] == ["Published", "1", "1", "–", "0", "2", "1", "0", "0"]
    assert rows[studio.rejected.pk][1:] == ["Rejected -Shows a weapon", "0", "0", "–", "0", "0", "0", "0", "0"]
    html = response.content.decode()
    assert "Not yours" not in html
    assert re.search(r"<dt>Impressions</dt><dd>4</dd>", html)
    assert re.search(r"<dt>Watch-through</dt><dd>50 %</dd>", html)
    assert '<option value="7" selected>Last 7 days</option>' in html
    assert '<th scope="col">Impressions</th>' in html
    assert "<caption" in html


def test_the_charts_data_is_the_tables_data_and_the_library_loads_when_installed(client, studio, monkeypatch):
    monkeypatch.setattr(views, "chart_library_url", lambda: "/static/vendor/chart.umd.min.js")
    client.force_login(studio.creator.user)

    html = client.get(PAGE, {"days": "30"}).content.decode()

    embedded = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
    assert json.loads(embedded.group(1)) == {
        "series": json.loads(json.dumps(stats_payload(creator_stats(creator=studio.creator, days=30))["series"]))
    }
    assert '<script src="/static/vendor/chart.umd.min.js" defer></script>' in html
    assert '<details class="daily">' in html  # the charts show; the daily table is one click away


def test_without_the_chart_library_the_page_has_no_chart_script_and_opens_the_daily_table(client, studio, monkeypatch):
    monkeypatch.setattr(views, "CHART_LIBRARY", "vendor/not-installed.js")
    client.force_login(studio.creator.user)

    html = client.get(PAGE).content.decode()

    assert "chart.umd" not in html
    assert "not-installed" not in html
    assert '<details class="daily" open>' in html
    today = timezone.now().date().isoformat()
    assert re.search(rf'<time datetime="{today}">[^<]+</time></th>\s*<td>4</td><td>3</td><td>1</td><td>1</td>', html)


def test_the_installed_library_is_found_by_staticfiles():
    if views.chart_library_url() is None:
        pytest.skip("Chart.js is not installed (make vendor needs npm)")
    assert views.chart_library_url() == "/static/vendor/chart.umd.min.js"


@pytest.mark.parametrize("days", ["0", "366", "abc", "7.5", "-3", "٣"])
def test_a_bad_period_is_explained_and_the_default_shown(client, studio, days):
    client.force_login(studio.creator.user)

    response = client.get(PAGE, {"days": days})

    assert response.status_code == 400
    html = response.content.decode()
    assert "days must be a whole number of days from 1 to 365. Showing the last 30 days instead." in html
    assert len(item_rows(html)) == 3


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_has_one_row_per_post_with_every_figure_and_no_formula(client, studio):
    client.force_login(studio.creator.user)

    response = client.get(CSV, {"days": "7"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.now().date()
    since = today - timezone.timedelta(days=6)
    assert response["Content-Disposition"] == f'attachment; filename="feedsite-glowlab-{since}-{today}.csv"'
    header, *rows = _csv_rows(response)
    assert header[:5] == ["item", "kind", "caption", "status", "reason"]
    figures = [dict(zip(header, row, strict=True)) for row in rows]
    assert [row["item"] for row in figures] == [str(studio.rejected.pk), str(studio.image.pk), str(studio.video.pk)]
    video = figures[2]
    assert [video[name] for name in header[7:]] == ["3", "2", "2", "1", "50.0", "1", "0", "0", "1", "1"]
    image = figures[1]
    assert [image[name] for name in header[7:]] == ["1", "1", "0", "0", "", "0", "2", "1", "0", "0"]
    # A spreadsheet would run these as formulas: each starts with a quote instead.
    assert image["caption"] == '\'=HYPERLINK("http://evil.example","click")'
    assert (figures[0]["caption"], figures[0]["reason"]) == ("'@everyone look", "'-Shows a weapon")
    assert video["caption"] == "Morning glow routine"


def test_a_bad_period_in_the_csv_is_refused(client, studio):
    client.force_login(studio.creator.user)

    response = client.get(CSV, {"days": "1000"})

    assert (response.status_code, response["Content-Type"]) == (400, "text/plain; charset=utf-8")
    assert response.content.decode() == "days must be a whole number of days from 1 to 365."
