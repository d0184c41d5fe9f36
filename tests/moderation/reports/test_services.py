"""Auto-hide: enough open reports from distinct trusted shoppers hide a post or a comment, once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from content.models import Comment, ContentItem
from feedsite.errors import NotFound
from moderation.models import AuditEntry, Case, Report
from moderation.reports import selectors
from moderation.reports.services import HIDDEN_BY_REPORTS, report_create
from profiles.models import Shopper
from tests.factories import CommentFactory, ContentItemFactory, ReportFactory, ShopperFactory
from tests.moderation.reports.conftest import shopper_with_trust

pytestmark = pytest.mark.django_db
Status = ContentItem.Status


@pytest.fixture(autouse=True)
def _three_reports_hide(settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 3
    settings.MODERATION_TRUSTED_MIN = 0.5


def _feed_ids(client) -> set[int]:
    return {card["id"] for card in client.get("/api/v1/feed").json()["cards"]}


def _auto_hides() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditEntry.Action.AUTO_HIDE))


def test_the_third_trusted_report_hides_the_post_everywhere_once(api_client, django_capture_on_commit_callbacks):
    item = ContentItemFactory()
    other = ContentItemFactory()
    reasons = ["counterfeit", "spam", "counterfeit"]
    assert _feed_ids(api_client) == {item.pk, other.pk}

    reports = []
    for n, reason in enumerate(reasons):
        with django_capture_on_commit_callbacks(execute=True):
            reports.append(report_create(shopper=shopper_with_trust(None), item=item, reason=reason)[0])
        item.refresh_from_db()
        assert item.status == (Status.HIDDEN if n == 2 else Status.PUBLISHED)

    assert item.status_reason == HIDDEN_BY_REPORTS
    assert _feed_ids(api_client) == {other.pk}
    case = Case.objects.get()
    assert (case.reports, case.why, case.status) == (3, "reported", "open")
    (entry,) = _auto_hides()
    assert (entry.actor, entry.actor_name, entry.target_type, entry.target_id, entry.reason_code) == (
        None,
        "system",
        "item",
        item.pk,
        "counterfeit",
    )
    assert entry.data == {"reports": [r.pk for r in reports], "case": case.pk}
    assert entry.note == "3 reports from trusted shoppers."


@pytest.mark.parametrize(
    ("trusts", "hidden"),
    [
        ([None, 1.0], False),  # one short
        ([None, 0.9, 0.5], True),  # at the bar counts
        ([0.49, 0.2, 0.0, 0.1, 0.3], False),  # low-trust shoppers never hide, however many
        ([None, 1.0, 0.2, 0.2], False),
        ([0.2, None, 0.9, 0.1, 0.6], True),
    ],
)
def test_only_reports_from_trusted_shoppers_count(trusts, hidden):
    item = ContentItemFactory()

    for trust in trusts:
        report_create(shopper=shopper_with_trust(trust), item=item, reason="spam")

    item.refresh_from_db()
    assert item.status == (Status.HIDDEN if hidden else Status.PUBLISHED)
    assert len(_auto_hides()) == int(hidden)
    assert sorted(Report.objects.values_list("trust", flat=True)) == sorted(1.0 if t is None else t for t in trusts)
    assert Case.objects.get().reports == len(trusts)


def test_reports_a_moderator_already_decided_do_not_count():
    item = ContentItemFactory()
    ReportFactory(item=item, status=Report.Status.DISMISSED)
    ReportFactory(item=item, status=Report.Status.DISMISSED)

    report_create(shopper=shopper_with_trust(None), item=item, reason="spam")
    report_create(shopper=shopper_with_trust(None), item=item, reason="spam")

    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert _auto_hides() == []


def test_a_visitor_and_the_account_it_merged_into_are_one_reporter():
    item = ContentItemFactory()
    account = shopper_with_trust(None)
    visitor = ShopperFactory(user=None, merged_into=account)
    ReportFactory(item=item, reporter=visitor)
    report_create(shopper=shopper_with_trust(None), item=item, reason="spam")

    report_create(shopper=account, item=item, reason="spam")

    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert len(selectors.reports_counting_towards_hide(item=item)) == 2


def test_a_zero_threshold_turns_auto_hide_off(settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 0
    item = ContentItemFactory()

    for _ in range(4):
        report_create(shopper=shopper_with_trust(None), item=item, reason="spam")

    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert _auto_hides() == []


def test_the_third_trusted_report_hides_a_comment(api_client):
    comment = CommentFactory(body="Buy followers at spam.example")
    url = f"/api/v1/items/{comment.content_id}/comments"
    assert [c["id"] for c in api_client.get(url).json()["comments"]] == [comment.pk]

    for _ in range(3):
        report_create(shopper=shopper_with_trust(None), comment=comment, reason="spam")

    comment.refresh_from_db()
    assert (comment.status, comment.moderation_reason) == (Comment.Status.HIDDEN, "reported")
    assert api_client.get(url).json()["comments"] == []
    (entry,) = _auto_hides()
    assert (entry.target_type, entry.target_id, entry.reason_code) == ("comment", comment.pk, "spam")
    assert Case.objects.get().comment_id == comment.pk
    comment.content.refresh_from_db()
    assert comment.content.status == Status.PUBLISHED


def test_after_auto_hide_the_post_cannot_be_reported_again():
    item = ContentItemFactory()
    for _ in range(3):
        report_create(shopper=shopper_with_trust(None), item=item, reason="spam")

    with pytest.raises(NotFound):
        report_create(shopper=shopper_with_trust(None), item=item, reason="spam")

    assert (Report.objects.count(), Case.objects.get().reports, len(_auto_hides())) == (3, 3, 1)


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_reports_arriving_together_hide_the_post_exactly_once(settings):
    """Three shoppers report at the same moment: each counts the others' committed reports (the
    post's row is locked), so the last one hides it and the threshold is never missed."""
    settings.MODERATION_AUTO_HIDE_REPORTS = 3
    item = ContentItemFactory()
    shoppers = [shopper_with_trust(None) for _ in range(3)]
    start = threading.Barrier(len(shoppers))
    errors: list[BaseException] = []

    def report_now(shopper: Shopper) -> None:
        try:
            start.wait()
            report_create(shopper=shopper, item=item, reason="spam")
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=report_now, args=(s,)) for s in shoppers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    item.refresh_from_db()
    assert item.status == Status.HIDDEN
    (entry,) = _auto_hides()
    assert sorted(entry.data["reports"]) == sorted(Report.objects.values_list("pk", flat=True))
    assert Case.objects.get().reports == 3
