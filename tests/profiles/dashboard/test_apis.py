import pytest
from rest_framework.test import APIClient

from content.models import Creator
from profiles.dashboard.payload import stats_payload
from profiles.events.creator_stats import creator_stats
from tests.factories import CreatorFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/studio/stats"


def test_a_visitor_is_told_to_sign_in():
    response = APIClient().get(URL)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("status", [None, Creator.Status.APPLIED, Creator.Status.DECLINED])
def test_anyone_but_an_approved_creator_is_refused(studio, status):
    client = APIClient()
    client.force_authenticate(UserFactory() if status is None else CreatorFactory(status=status).user)

    response = client.get(URL)

    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "not_a_creator", "message": "Only an approved creator has a dashboard.", "extra": {}}
    }


def test_a_creator_gets_their_own_figures(studio):
    client = APIClient()
    client.force_authenticate(studio.creator.user)

    body = client.get(URL, {"days": 7}).json()

    assert body["days"] == 7
    assert [item["id"] for item in body["items"]] == [studio.rejected.pk, studio.image.pk, studio.video.pk]
    video = body["items"][2]
    assert {k: video[k] for k in ("status", "impressions", "views", "watch_through", "carts", "purchases")} == {
        "status": "published",
        "impressions": 3,
        "views": 2,
        "watch_through": 0.5,
        "carts": 1,
        "purchases": 1,
    }
    assert (body["items"][0]["status"], body["items"][0]["reason"]) == ("rejected", "-Shows a weapon")
    assert body["totals"] == {
        "impressions": 4,
        "views": 3,
        "timed_views": 2,
        "watched_through": 1,
        "watch_through": 0.5,
        "likes": 1,
        "shares": 2,
        "product_clicks": 1,
        "carts": 1,
        "purchases": 1,
    }
    assert body["series"]["impressions"][-1] == 4
    assert sum(body["series"]["impressions"]) == 4
    assert len(body["series"]["dates"]) == 7


def test_another_creator_sees_only_their_own(studio):
    client = APIClient()
    other = studio.other.creator
    client.force_authenticate(other.user)

    body = client.get(URL).json()

    assert [item["id"] for item in body["items"]] == [studio.other.pk]
    assert body["totals"]["impressions"] == 4
    assert body == stats_payload(creator_stats(creator=other, days=30))


@pytest.mark.parametrize("days", ["0", "366", "week", ""])
def test_a_bad_period_is_refused_in_the_error_shape(studio, days):
    client = APIClient()
    client.force_authenticate(studio.creator.user)

    response = client.get(URL, {"days": days})

    if days == "":  # absent: the default period
        assert (response.status_code, response.json()["days"]) == (200, 30)
        return
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_days"
    assert response.json()["error"]["extra"] == {"days": days, "max": 365}
