"""The segments admin without a browser: who may see and recompute, and what the pages say."""

from __future__ import annotations

import json
import re
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from experiments.segments import tasks
from experiments.segments.admin import p_text
from tests.experiments.segments.conftest import AS_OF, active_shopper
from tests.experiments.segments.test_rfm import SHOPPERS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MARKETER = [("segments", "view_segment"), ("segments", "view_segmentrun"), ("segments", "recompute_segments")]


def staff(client, permissions):
    user = UserFactory(is_staff=True)
    for app_label, codename in permissions:
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    client.force_login(user)
    return client


@pytest.fixture
def computed(item):
    for recency, days, spend in SHOPPERS.values():
        active_shopper(item, recency_days=recency, active_days=days, spend=spend)
    with mock.patch("experiments.segments.services.activity_as_of", return_value=AS_OF):
        tasks.recompute()


def test_a_marketer_reads_the_rfm_page_with_its_data_for_the_charts(client, computed):
    staff(client, MARKETER)

    response = client.get(reverse("admin:segments_segment_kind", args=["rfm"]))

    assert response.status_code == 200
    page = response.content.decode()
    payload = json.loads(re.search(r'<script id="segments-data" type="application/json">(.*?)</script>', page)[1])
    sizes = {row["key"]: row["size"] for row in payload["segments"]}
    assert sizes == {
        "champions": 2,
        "at-risk": 1,
        "hibernating": 1,
        "lapsed-browsers": 2,
        "loyal": 1,
        "needs-attention": 1,
        "new": 1,
        "promising": 1,
        "browsers": 0,
    }
    assert [row["key"] for row in payload["segments"]][:1] == ["champions"]  # largest first
    assert payload["tests"][0]["name"] == "Days since last active"
    assert "Do the segments differ?" in page
    assert "Kruskal–Wallis H" in page
    assert 'data-chart="recency"' in page
    assert 'data-chart="monetary"' in page
    assert "Recompute now" in page


def test_the_behaviour_page_says_when_nothing_could_be_clustered(client, computed):
    staff(client, MARKETER)

    page = client.get(reverse("admin:segments_segment_kind", args=["behaviour"])).content.decode()

    assert "Too few shoppers" in page
    assert "No segments of this kind." in page


def test_the_list_links_the_charts_and_shows_defining_figures(client, computed):
    staff(client, MARKETER)

    page = client.get(reverse("admin:segments_segment_changelist") + "?kind__exact=rfm").content.decode()

    assert reverse("admin:segments_segment_kind", args=["behaviour"]) in page
    assert "median 1.5 d since active · 17.5 active days · orders 1 · spend 400" in page


def test_a_segments_page_shows_it_read_only(client, computed):
    from experiments.segments.models import Segment

    staff(client, MARKETER)
    champions = Segment.objects.get(kind="rfm", key="champions")

    page = client.get(reverse("admin:segments_segment_change", args=[champions.pk])).content.decode()

    assert "median 1.5 d since active" in page
    assert 'name="_save"' not in page


@pytest.mark.parametrize(
    "url", [reverse("admin:segments_segment_kind", args=["rfm"]), reverse("admin:segments_segment_changelist")]
)
def test_staff_without_the_view_permission_is_refused(client, url):
    staff(client, [])

    assert client.get(url).status_code == 403


def test_an_unknown_kind_is_not_found(client):
    staff(client, MARKETER)

    assert client.get(reverse("admin:segments_segment_kind", args=["astrology"])).status_code == 404


def test_recompute_now_queues_the_task_after_commit(client, django_capture_on_commit_callbacks):
    staff(client, MARKETER)

    with mock.patch.object(tasks.recompute, "delay") as delay, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:segments_segment_recompute"), {"kind": "rfm"})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:segments_segment_kind", args=["rfm"])
    delay.assert_called_once_with(["rfm"])


def test_recompute_now_needs_its_permission_and_a_post(client):
    staff(client, MARKETER[:2])

    with mock.patch.object(tasks.recompute, "delay") as delay:
        refused = client.post(reverse("admin:segments_segment_recompute"), {})
        staff(client, MARKETER)
        got = client.get(reverse("admin:segments_segment_recompute"))

    assert (refused.status_code, got.status_code) == (403, 405)
    delay.assert_not_called()


@pytest.mark.parametrize(
    ("p", "text"), [(None, "–"), (0.0, "< 1e-12"), (3e-13, "< 1e-12"), (0.04567, "0.0457"), (2.5e-7, "2.5e-07")]
)
def test_p_values_as_the_page_prints_them(p, text):
    assert p_text(p) == text
