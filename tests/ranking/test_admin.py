import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ranking.models import FeedRequest
from tests.factories import ContentItemFactory, FeedRequestFactory, ShopperFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:ranking_feedrequest_changelist")


def _listed(response) -> set[uuid.UUID]:
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_changelist_query_count_does_not_grow_with_rows(admin_client):
    FeedRequestFactory.create_batch(3)
    admin_client.get(CHANGELIST)  # warms the session and content-type caches
    few = _queries(admin_client, CHANGELIST)

    FeedRequestFactory.create_batch(27)
    many = _queries(admin_client, CHANGELIST)

    assert len(_listed(admin_client.get(CHANGELIST))) == 30
    assert many == few


def test_changelist_shows_newest_first_with_the_number_of_items(admin_client):
    older = FeedRequestFactory(items=[1, 2, 3, 4], variant="ranker-b")
    newer = FeedRequestFactory(items=[5])
    FeedRequest.objects.filter(pk=older.pk).update(served_at=timezone.now() - timedelta(minutes=5))

    response = admin_client.get(CHANGELIST)

    assert [row.pk for row in response.context["cl"].result_list] == [newer.pk, older.pk]
    assert '<td class="field-item_count">4</td><td class="field-variant">ranker-b</td>' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"page_kind": "first"}, {"first_signed_in", "first_visitor"}),
        ({"page_kind": "later"}, {"later_old"}),
        ({"served_to": "signed_in"}, {"first_signed_in", "later_old"}),
        ({"served_to": "visitor"}, {"first_visitor"}),
        ("past_7_days", {"first_signed_in", "first_visitor"}),
    ],
)
def test_changelist_filters(admin_client, params, expected):
    rows = {
        "first_signed_in": FeedRequestFactory(),
        "first_visitor": FeedRequestFactory(shopper=ShopperFactory(user=None)),
        "later_old": FeedRequestFactory(page=2),
    }
    FeedRequest.objects.filter(pk=rows["later_old"].pk).update(served_at=timezone.now() - timedelta(days=30))
    if params == "past_7_days":
        today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        params = {"served_at__gte": str(today - timedelta(days=7)), "served_at__lt": str(today + timedelta(days=1))}

    listed = _listed(admin_client.get(CHANGELIST, params))

    assert listed == {rows[name].pk for name in expected}


@pytest.mark.parametrize("term", ["request", "session", "ranker-b", "u-9"])
def test_search_is_exact_on_request_session_variant_or_dataset_shopper(admin_client, term):
    wanted = FeedRequestFactory(variant="ranker-b", shopper=ShopperFactory(user=None, external_id="u-9"))
    FeedRequestFactory(variant="ranker-bb", shopper=ShopperFactory(user=None, external_id="u-99"))
    term = {"request": str(wanted.request_id), "session": str(wanted.feed_session)}.get(term, term)

    assert _listed(admin_client.get(CHANGELIST, {"q": term})) == {wanted.pk}


def test_detail_lists_the_served_cards_in_order_with_reasons(admin_client):
    first, second = ContentItemFactory(), ContentItemFactory()
    served = FeedRequestFactory(items=[second.pk, first.pk], reasons=["fresh", "followed"])

    html = admin_client.get(reverse("admin:ranking_feedrequest_change", args=[served.pk])).content.decode()

    assert (
        f'<ol><li><a href="/admin/content/contentitem/{second.pk}/change/">#{second.pk}</a> fresh</li>'
        f'<li><a href="/admin/content/contentitem/{first.pk}/change/">#{first.pk}</a> followed</li></ol>'
    ) in html


def test_served_list_log_is_read_only(admin_client):
    served = FeedRequestFactory()
    before = list(FeedRequest.objects.values())
    change_url = reverse("admin:ranking_feedrequest_change", args=[served.pk])

    add = admin_client.get(reverse("admin:ranking_feedrequest_add"))
    view = admin_client.get(change_url)
    change = admin_client.post(change_url, {"page": "7", "variant": "edited"})
    delete = admin_client.post(reverse("admin:ranking_feedrequest_delete", args=[served.pk]), {"post": "yes"})

    assert (add.status_code, view.status_code, change.status_code, delete.status_code) == (403, 200, 403, 403)
    assert list(FeedRequest.objects.values()) == before
