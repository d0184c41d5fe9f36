import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from content.models import Creator, Tag
from profiles.admin import INLINE_ROWS
from profiles.models import Follow, Interest
from tests.factories import (
    ConsentRecordFactory,
    CreatorFactory,
    FollowFactory,
    InteractionFactory,
    InterestFactory,
    ProductFactory,
    ShopperFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def _url(model: str, view: str = "changelist", *args: object) -> str:
    app = "events" if model == "interaction" else "profiles"
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def _listed(response) -> set[int]:
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


# One changelist row each, with everything its columns show.
def _shopper() -> None:
    ShopperFactory(merged_into=ShopperFactory())


def _consent() -> None:
    ConsentRecordFactory()


def _interest() -> None:
    InterestFactory()


def _follow() -> None:
    FollowFactory()


def _interaction() -> None:
    InteractionFactory(product=ProductFactory())


@pytest.mark.parametrize(
    ("model", "build", "rows_per_build"),
    [
        ("shopper", _shopper, 2),
        ("consentrecord", _consent, 1),
        ("interest", _interest, 1),
        ("follow", _follow, 1),
        ("interaction", _interaction, 1),
    ],
)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model, build, rows_per_build):
    for _ in range(3):
        build()
    admin_client.get(_url(model))  # warms the session and content-type caches
    few = _queries(admin_client, _url(model))

    for _ in range(27):
        build()
    many = _queries(admin_client, _url(model))

    assert len(_listed(admin_client.get(_url(model)))) == 30 * rows_per_build
    assert many == few


# Shopper


@pytest.mark.parametrize("term", ["mira", "mira@shop.example", "u-42", "visitor"])
def test_shopper_search_by_username_email_dataset_id_or_visitor_id(admin_client, term):
    shoppers = {
        "mira": ShopperFactory(user__username="mira", user__email="mira@shop.example"),
        "dataset": ShopperFactory(user=None, external_id="u-42"),
        "visitor": ShopperFactory(user=None),
    }
    ShopperFactory(user__username="tom", user__email="tom@shop.example")
    ShopperFactory(user=None, external_id="u-420")
    wanted = {"mira": "mira", "mira@shop.example": "mira", "u-42": "dataset", "visitor": "visitor"}[term]
    if term == "visitor":
        term = str(shoppers["visitor"].visitor_id)

    assert _listed(admin_client.get(_url("shopper"), {"q": term})) == {shoppers[wanted].pk}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"personalization__exact": "0"}, {"opted_out"}),
        ({"kind": "signed_in"}, {"signed_in", "opted_out"}),
        ({"kind": "visitor"}, {"visitor"}),
        ({"kind": "dataset"}, {"dataset"}),
        ({"onboarded": "yes"}, {"signed_in"}),
        ({"onboarded": "no"}, {"visitor", "dataset", "opted_out"}),
    ],
)
def test_shopper_filters(admin_client, params, expected):
    shoppers = {
        "signed_in": ShopperFactory(onboarded_at=timezone.now()),
        "opted_out": ShopperFactory(personalization=False),
        "visitor": ShopperFactory(user=None),
        "dataset": ShopperFactory(user=None, external_id="u-1"),
    }

    listed = _listed(admin_client.get(_url("shopper"), params))

    assert listed == {shoppers[name].pk for name in expected}


def test_shopper_page_shows_the_newest_follows_and_interests_read_only(admin_client):
    shopper = ShopperFactory()
    follows = FollowFactory.create_batch(INLINE_ROWS + 5, shopper=shopper)
    interest = InterestFactory(shopper=shopper)

    response = admin_client.get(_url("shopper", "change", shopper.pk))

    interests_inline, follows_inline = response.context["inline_admin_formsets"]
    shown = [form.instance.pk for form in follows_inline.formset.forms]
    assert shown == [follow.pk for follow in reversed(follows)][:INLINE_ROWS]
    assert [form.instance.pk for form in interests_inline.formset.forms] == [interest.pk]
    assert not follows_inline.has_change_permission
    assert not follows_inline.has_add_permission
    assert not follows_inline.has_delete_permission


def test_shopper_page_links_to_its_history(admin_client):
    shopper = ShopperFactory()
    mine = InteractionFactory(shopper=shopper)
    InteractionFactory()

    listed = _listed(admin_client.get(_url("interaction"), {"shopper__id__exact": shopper.pk}))
    page = admin_client.get(_url("shopper", "change", shopper.pk)).content.decode()

    assert listed == {mine.pk}
    for model in ["events/interaction", "profiles/consentrecord", "profiles/interest", "profiles/follow"]:
        assert f'href="/admin/{model}/?shopper__id__exact={shopper.pk}"' in page


# Read-only logs


def _read_only_row(model: str):
    return {
        "shopper": lambda: ShopperFactory(),
        "consentrecord": lambda: ConsentRecordFactory(),
        "interaction": lambda: InteractionFactory(),
    }[model]()


@pytest.mark.parametrize("model", ["shopper", "consentrecord", "interaction"])
def test_log_admin_is_read_only(admin_client, model):
    row = _read_only_row(model)
    model_class = type(row)
    before = list(model_class.objects.values())

    add = admin_client.get(_url(model, "add"))
    view = admin_client.get(_url(model, "change", row.pk))
    change = admin_client.post(_url(model, "change", row.pk), {"personalization": "", "type": "like"})
    delete = admin_client.post(_url(model, "delete", row.pk), {"post": "yes"})

    assert (add.status_code, view.status_code, change.status_code, delete.status_code) == (403, 200, 403, 403)
    assert list(model_class.objects.values()) == before


# ConsentRecord


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"personalization__exact": "0"}, {"refused"}),
        ({"source": "settings"}, {"settings"}),
        ({"q": "mira@shop.example"}, {"refused"}),
    ],
)
def test_consent_record_filters_and_search(admin_client, params, expected):
    records = {
        "refused": ConsentRecordFactory(personalization=False, shopper__user__email="mira@shop.example"),
        "settings": ConsentRecordFactory(source="settings"),
        "banner": ConsentRecordFactory(),
    }

    listed = _listed(admin_client.get(_url("consentrecord"), params))

    assert listed == {records[name].pk for name in expected}


# Interest and Follow


def test_interest_added_in_admin_leaves_onboarding_alone(admin_client):
    shopper = ShopperFactory()
    tag = TagFactory()

    response = admin_client.post(_url("interest", "add"), {"shopper": shopper.pk, "tag": tag.pk})

    assert response.status_code == 302
    assert list(Interest.objects.values_list("shopper", "tag")) == [(shopper.pk, tag.pk)]
    shopper.refresh_from_db()
    assert shopper.onboarded_at is None


def test_interest_and_follow_are_removed_through_admin(admin_client):
    interest = InterestFactory()
    follow = FollowFactory()
    kept = FollowFactory()

    admin_client.post(_url("interest", "delete", interest.pk), {"post": "yes"})
    admin_client.post(_url("follow"), {"action": "delete_selected", "_selected_action": [follow.pk], "post": "yes"})

    assert Interest.objects.count() == 0
    assert list(Follow.objects.all()) == [kept]


def test_follow_added_in_admin(admin_client):
    shopper = ShopperFactory()
    creator = CreatorFactory()

    response = admin_client.post(_url("follow", "add"), {"shopper": shopper.pk, "creator": creator.pk})

    assert response.status_code == 302
    assert list(Follow.objects.values_list("shopper", "creator")) == [(shopper.pk, creator.pk)]


@pytest.mark.parametrize("model", ["interest", "follow"])
def test_interest_and_follow_cannot_be_changed(admin_client, model):
    row = InterestFactory() if model == "interest" else FollowFactory()
    other_shopper = ShopperFactory()

    response = admin_client.post(_url(model, "change", row.pk), {"shopper": other_shopper.pk})

    assert response.status_code == 403
    row.refresh_from_db()
    assert row.shopper != other_shopper


@pytest.mark.parametrize(
    ("model", "field", "term"),
    [("interest", "shopper", "mira"), ("interest", "tag", "ser"), ("follow", "creator", "mir")],
)
def test_interest_and_follow_forms_autocomplete(admin_client, model, field, term):
    wanted = {
        "shopper": lambda: ShopperFactory(user__username="mira"),
        "tag": lambda: TagFactory(name="Serum"),
        "creator": lambda: CreatorFactory(handle="mira"),
    }[field]()
    ShopperFactory(user__username="tom")
    TagFactory(name="Minimal")
    CreatorFactory(handle="tom")

    results = admin_client.get(
        "/admin/autocomplete/", {"app_label": "profiles", "model_name": model, "field_name": field, "term": term}
    ).json()["results"]

    assert [row["id"] for row in results] == [str(wanted.pk)]


@pytest.mark.parametrize(
    ("model", "params", "expected"),
    [
        ("interest", {"tag__kind": "style"}, {"style"}),
        ("interest", {"q": "Serum"}, {"topic"}),
        ("follow", {"creator__kind": "editorial"}, {"editorial"}),
        ("follow", {"creator__verified__exact": "1"}, {"verified"}),
        ("follow", {"q": "mira"}, {"verified"}),
    ],
)
def test_interest_and_follow_filters_and_search(admin_client, model, params, expected):
    rows = {
        "style": InterestFactory(tag__kind=Tag.Kind.STYLE, tag__name="Minimal"),
        "topic": InterestFactory(tag__name="Serum"),
        "editorial": FollowFactory(creator__kind=Creator.Kind.EDITORIAL, creator__handle="daily"),
        "verified": FollowFactory(creator__verified=True, creator__handle="mira"),
    }

    listed = _listed(admin_client.get(_url(model), params))

    assert listed == {rows[name].pk for name in expected}


# Interaction


@pytest.mark.parametrize(
    ("term", "expected"),
    [("evt-target", {"target"}), ("evt-tar", set()), ("u-7", {"dataset"}), ("nobody", set())],
)
def test_interaction_search_is_exact_on_event_id_or_dataset_shopper(admin_client, term, expected):
    rows = {
        "target": InteractionFactory(event_id="evt-target"),
        "dataset": InteractionFactory(shopper=ShopperFactory(user=None, external_id="u-7")),
        "other": InteractionFactory(event_id="evt-other"),
    }

    listed = _listed(admin_client.get(_url("interaction"), {"q": term}))

    assert listed == {rows[name].pk for name in expected}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type__exact": "purchase"}, {"purchase"}),
        ({"occurred_at__year": "2024", "occurred_at__month": "3", "occurred_at__day": "9"}, {"march"}),
    ],
)
def test_interaction_filters_and_date_hierarchy(admin_client, params, expected):
    march = datetime(2024, 3, 9, 12, tzinfo=UTC)
    rows = {
        "purchase": InteractionFactory(type="purchase"),
        "march": InteractionFactory(occurred_at=march),
        "day_after": InteractionFactory(occurred_at=march + timedelta(days=1)),
    }

    listed = _listed(admin_client.get(_url("interaction"), params))

    assert listed == {rows[name].pk for name in expected}


def test_interaction_list_never_counts_the_whole_log(admin_client):
    InteractionFactory.create_batch(2, type="like")
    InteractionFactory(type="view")

    response = admin_client.get(_url("interaction"), {"type__exact": "like", "_facets": "True"})

    changelist = response.context["cl"]
    assert (changelist.result_count, changelist.full_result_count, changelist.add_facets) == (2, None, False)
    assert "3 total" not in response.content.decode()


def test_interaction_list_is_newest_first_and_sorts_by_occurrence_only(admin_client):
    first, second = InteractionFactory(), InteractionFactory()

    response = admin_client.get(_url("interaction"))

    assert [row.pk for row in response.context["cl"].result_list] == [second.pk, first.pk]
    assert re.findall(r'class="sortable column-(\w+)', response.content.decode()) == ["occurred_at"]
