"""Appeals: a creator contests a moderator's rejection or removal once, and a different moderator decides."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from content.models import Creator
from content.services import content_remove, content_submit
from feedsite.errors import ApplicationError
from moderation.appeals.services import appeal_create
from moderation.models import Appeal, AuditEntry, Case
from moderation.reports.services import report_create
from profiles.services import shopper_for_user
from tests.factories import ContentItemFactory, CreatorFactory, UserFactory
from tests.moderation.reports.conftest import shopper_with_trust, token_client

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


@pytest.fixture
def creator() -> Creator:
    return CreatorFactory(handle="glowwithmia", status=Creator.Status.APPROVED)


def appeal(client, item_id: int, message: str = "It is the real brand: here is the invoice."):
    return client.post(f"/api/v1/studio/items/{item_id}/appeal", {"message": message}, format="json")


def _nothing_appealed(item) -> None:
    item.refresh_from_db()
    assert item.appealed_at is None
    assert Appeal.objects.count() == 0
    assert not AuditEntry.objects.filter(action=Action.APPEAL).exists()
    assert not Case.objects.filter(why=Case.Why.APPEAL).exists()


@pytest.mark.parametrize(("start", "action"), [("pending_review", Action.REJECT), ("published", Action.REMOVE)])
def test_a_creator_appeals_a_moderators_decision_and_a_different_moderator_gets_the_case(
    creator, moderator, decide, start, action
):
    item = ContentItemFactory(creator=creator, status=start)
    decision = decide(item, action)

    response = appeal(token_client(creator.user), item.pk)

    assert response.status_code == 201
    stored = Appeal.objects.get()
    assert response.json() == {
        "id": stored.pk,
        "item": item.pk,
        "status": "open",
        "at": stored.at.isoformat(),
        "response": "",
    }
    item.refresh_from_db()
    assert item.appealed_at is not None
    assert (stored.item_id, stored.message, stored.contested_status, stored.contested_by) == (
        item.pk,
        "It is the real brand: here is the invoice.",
        item.status,
        moderator,
    )
    case = Case.objects.get()
    assert stored.case == case
    assert (case.item_id, case.why, case.status, case.not_for) == (item.pk, "appeal", "open", moderator)
    entry = AuditEntry.objects.get(action=Action.APPEAL)
    assert (entry.actor, entry.target_type, entry.target_id, entry.note) == (
        creator.user,
        "item",
        item.pk,
        "It is the real brand: here is the invoice.",
    )
    assert entry.data == {"appeal": stored.pk, "case": case.pk, "contested": decision.pk, "status": item.status}


def test_an_open_reports_case_becomes_the_appeal_for_someone_else(creator, moderator, decide):
    item = ContentItemFactory(creator=creator)
    report_create(shopper=shopper_with_trust(None), item=item, reason="counterfeit")
    decide(item, Action.REMOVE)

    assert appeal(token_client(creator.user), item.pk).status_code == 201

    case = Case.objects.get()
    assert (case.why, case.reports, case.not_for) == ("appeal", 1, moderator)


def test_a_post_is_appealed_once(creator, decide):
    item = ContentItemFactory(creator=creator)
    decide(item, Action.REMOVE)
    client = token_client(creator.user)
    first = appeal(client, item.pk)
    stamped = type(item).objects.get(pk=item.pk).appealed_at

    again = appeal(client, item.pk, "Please look again")

    assert (first.status_code, again.status_code) == (201, 409)
    assert again.json()["error"]["code"] == "appeal_used"
    assert Appeal.objects.get().message == "It is the real brand: here is the invoice."
    assert type(item).objects.get(pk=item.pk).appealed_at == stamped
    assert AuditEntry.objects.filter(action=Action.APPEAL).count() == 1


def _pending(item, decide):
    item.status, item.published_at = "pending_review", None
    item.save()


def _published(item, decide):
    pass


def _hidden_by_a_moderator(item, decide):
    decide(item, Action.HIDE)


def _hidden_by_reports(item, decide):
    decide(item, Action.AUTO_HIDE, by=None, reason_code="spam")


def _rejected_by_a_check(item, decide):
    _pending(item, decide)
    decide(item, Action.SCREEN, by=None)


def _rejected_then_resubmitted_and_rejected_by_a_check(item, decide):
    _pending(item, decide)
    decide(item, Action.REJECT)
    content_submit(item=item)
    decide(item, Action.SCREEN, by=None)


def _rejected_by_the_system(item, decide):
    _pending(item, decide)
    decide(item, Action.REJECT, by=None)


@pytest.mark.parametrize(
    "setup",
    [
        _pending,
        _published,
        _hidden_by_a_moderator,
        _hidden_by_reports,
        _rejected_by_a_check,
        _rejected_then_resubmitted_and_rejected_by_a_check,
        _rejected_by_the_system,
    ],
)
def test_only_a_moderators_rejection_or_removal_can_be_appealed(creator, decide, setup):
    item = ContentItemFactory(creator=creator)
    setup(item, decide)

    response = appeal(token_client(creator.user), item.pk)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_appealable"
    _nothing_appealed(item)


def test_a_post_the_creator_deleted_is_not_theirs_to_appeal(creator, decide):
    item = ContentItemFactory(creator=creator, status="pending_review")
    decide(item, Action.REJECT)
    content_remove(item=item)  # the studio's delete

    response = appeal(token_client(creator.user), item.pk)

    assert response.status_code == 404
    _nothing_appealed(item)


def test_another_creators_post_is_not_found(creator, decide):
    theirs = ContentItemFactory(creator=CreatorFactory())
    decide(theirs, Action.REMOVE)

    response = appeal(token_client(creator.user), theirs.pk)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    _nothing_appealed(theirs)


@pytest.mark.parametrize(("message", "field"), [("", "message"), ("   ", "message"), ("x" * 1001, "message")])
def test_an_appeal_says_why_in_at_most_1000_characters(creator, decide, message, field):
    item = ContentItemFactory(creator=creator)
    decide(item, Action.REMOVE)

    response = appeal(token_client(creator.user), item.pk, message)

    assert response.status_code == 400
    assert list(response.json()["error"]["extra"]["fields"]) == [field]
    _nothing_appealed(item)


def test_only_signed_in_approved_creators_appeal(creator, decide, api_client):
    item = ContentItemFactory(creator=creator)
    decide(item, Action.REMOVE)
    shopper = UserFactory()
    shopper_for_user(user=shopper)

    anonymous = appeal(api_client, item.pk)
    not_a_creator = appeal(token_client(shopper), item.pk)

    assert (anonymous.status_code, not_a_creator.status_code) == (401, 403)
    assert not_a_creator.json()["error"]["code"] == "not_a_creator"
    _nothing_appealed(item)


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_appeals_sent_at_once_make_one(creator, decide):
    """A double-click, or the page and the API together: the post's row lock lets one through."""
    item = ContentItemFactory(creator=creator)
    decide(item, Action.REMOVE)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def send(message: str) -> None:
        try:
            start.wait()
            appeal_create(creator=creator, item=item, message=message)
            outcomes.append("appealed")
        except ApplicationError as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(m,)) for m in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["appeal_used", "appealed"]
    assert Appeal.objects.count() == 1
    assert AuditEntry.objects.filter(action=Action.APPEAL).count() == 1
    assert Case.objects.get().why == "appeal"
