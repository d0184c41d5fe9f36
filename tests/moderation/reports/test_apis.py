"""The report API: 201 then an idempotent 200, who may report what, the error shape, the limit."""

from __future__ import annotations

import pytest
from django.test import Client

from content.models import Comment, ContentItem
from moderation.models import Case, Report
from profiles.services import shopper_for_user
from tests.factories import CommentFactory, ContentItemFactory, UserFactory
from tests.feedsite.test_limits import set_rates
from tests.moderation.reports.conftest import token_client
from tests.profiles.conftest import visitor_of

pytestmark = pytest.mark.django_db
Status = ContentItem.Status


def report(client, kind: str, target_id: int, body: dict):
    return client.post(f"/api/v1/{kind}/{target_id}/report", body, format="json")


def test_a_signed_in_shopper_reports_an_item_and_it_raises_its_case():
    item = ContentItemFactory()
    user = UserFactory()

    response = report(token_client(user), "items", item.pk, {"reason": "counterfeit", "note": "  Fake logo  "})

    assert response.status_code == 201
    stored = Report.objects.get()
    assert response.json() == {"id": stored.pk, "reason": "counterfeit", "status": "open"}
    assert (stored.item_id, stored.comment_id, stored.reporter, stored.note, stored.trust) == (
        item.pk,
        None,
        shopper_for_user(user=user),
        "Fake logo",
        1.0,
    )
    case = Case.objects.get()
    assert stored.case == case
    assert (case.item_id, case.status, case.why, case.reports, case.priority) == (item.pk, "open", "reported", 1, 0.4)


def test_an_anonymous_visitor_reports_a_comment_as_their_visitor_shopper():
    comment = CommentFactory()
    browser = Client()

    response = browser.post(
        f"/api/v1/comments/{comment.pk}/report", {"reason": "offensive"}, content_type="application/json"
    )

    assert response.status_code == 201
    stored = Report.objects.get()
    assert response.json() == {"id": stored.pk, "reason": "offensive", "status": "open"}
    assert (stored.comment_id, stored.item_id, stored.reporter, stored.note) == (
        comment.pk,
        None,
        visitor_of(browser),
        "",
    )
    assert Case.objects.get().comment_id == comment.pk


@pytest.mark.parametrize("kind", ["items", "comments"])
def test_a_second_report_of_the_same_target_answers_the_first_and_counts_nothing(kind):
    target = ContentItemFactory() if kind == "items" else CommentFactory()
    client = token_client(UserFactory())
    first = report(client, kind, target.pk, {"reason": "spam"})

    again = report(client, kind, target.pk, {"reason": "misleading", "note": "changed my mind"})

    assert again.status_code == 200
    assert again.json() == first.json() == {"id": Report.objects.get().pk, "reason": "spam", "status": "open"}
    assert Case.objects.get().reports == 1


def _draft() -> int:
    return ContentItemFactory(status=Status.DRAFT, published_at=None).pk


def _hidden_item() -> int:
    return ContentItemFactory(status=Status.HIDDEN).pk


def _removed_item() -> int:
    return ContentItemFactory(status=Status.REMOVED).pk


def _hidden_comment() -> int:
    return CommentFactory(status=Comment.Status.HIDDEN).pk


def _comment_on_hidden_item() -> int:
    return CommentFactory(content=ContentItemFactory(status=Status.HIDDEN)).pk


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("items", lambda: 987654),
        ("items", _draft),
        ("items", _hidden_item),
        ("items", _removed_item),
        ("comments", lambda: 987654),
        ("comments", _hidden_comment),
        ("comments", _comment_on_hidden_item),
    ],
    ids=["unknown-item", "draft", "hidden-item", "removed-item", "unknown-comment", "hidden-comment", "on-hidden"],
)
def test_what_is_not_shown_cannot_be_reported(kind, make):
    target_id = make()

    response = report(token_client(UserFactory()), kind, target_id, {"reason": "spam"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert (Report.objects.count(), Case.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"reason": "rude"}, "invalid", "reason"),
        ({"reason": ""}, "invalid", "reason"),
        ({"note": "no reason"}, "invalid", "reason"),
        ({"reason": "spam", "note": "x" * 501}, "invalid", "note"),
        ({"reason": "other"}, "note_required", None),
        ({"reason": "other", "note": "   "}, "note_required", None),
    ],
)
def test_a_bad_body_is_refused_in_the_error_shape_and_stores_nothing(body, code, field):
    item = ContentItemFactory()

    response = report(token_client(UserFactory()), "items", item.pk, body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    if field is not None:
        assert list(error["extra"]["fields"]) == [field]
    assert (Report.objects.count(), Case.objects.count()) == (0, 0)


@pytest.mark.parametrize("kind", ["items", "comments"])
def test_reporting_your_own_post_or_comment_is_refused(kind):
    target = ContentItemFactory() if kind == "items" else CommentFactory()
    author = target.creator.user if kind == "items" else target.author

    response = report(token_client(author), kind, target.pk, {"reason": "spam"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "own_content"
    assert (Report.objects.count(), Case.objects.count()) == (0, 0)


def test_reports_are_limited_per_shopper(settings):
    set_rates(settings, reports="2/hour")
    client = token_client(UserFactory())
    items = ContentItemFactory.create_batch(3)

    answers = [report(client, "items", item.pk, {"reason": "spam"}) for item in items]

    assert [a.status_code for a in answers[:2]] == [201, 201]
    assert answers[2].status_code == 429
    assert answers[2].json()["error"]["code"] == "throttled"
    assert 0 < int(answers[2]["Retry-After"]) <= 3600
    assert set(Report.objects.values_list("item_id", flat=True)) == {items[0].pk, items[1].pk}


def test_a_visitors_browser_needs_the_csrf_token_to_report():
    item = ContentItemFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.get("/")  # the feed page gives the visitor cookie and the CSRF cookie

    forged = browser.post(f"/api/v1/items/{item.pk}/report", {"reason": "spam"}, content_type="application/json")
    sent = browser.post(
        f"/api/v1/items/{item.pk}/report",
        {"reason": "spam"},
        content_type="application/json",
        headers={"X-CSRFToken": browser.cookies["csrftoken"].value},
    )

    assert forged.status_code == 403
    assert sent.status_code == 201
    assert Report.objects.get().reporter == visitor_of(browser)
