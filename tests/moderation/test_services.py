import pytest

from content.selectors import published
from feedsite.errors import ApplicationError
from moderation.models import CreatorDecision, CreatorStanding
from moderation.services import creator_block, creator_unblock
from ranking import catalog
from tests.factories import ContentItemFactory, CreatorFactory, CreatorStandingFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_blocking_takes_the_creator_out_of_what_is_served_and_records_the_decision():
    moderator = UserFactory()
    item = ContentItemFactory()
    creator = item.creator

    standing = creator_block(creator=creator, by=moderator, reason="  counterfeit sneakers  ")

    standing.refresh_from_db()
    assert (standing.blocked, standing.reason, standing.updated_by) == (True, "counterfeit sneakers", moderator)
    assert standing.updated_at is not None
    decision = CreatorDecision.objects.get()
    assert (decision.creator, decision.creator_handle, decision.action, decision.reason, decision.by) == (
        creator,
        creator.handle,
        "block",
        "counterfeit sneakers",
        moderator,
    )
    assert decision.at == standing.updated_at
    assert not published().filter(pk=item.pk).exists()


def test_unblocking_serves_the_creator_again_and_records_the_decision():
    item = ContentItemFactory()
    creator_block(creator=item.creator, by=UserFactory(), reason="spam")
    moderator = UserFactory()

    standing = creator_unblock(creator=item.creator, by=moderator, reason="appeal upheld")

    standing.refresh_from_db()
    assert (standing.blocked, standing.reason, standing.updated_by) == (False, "appeal upheld", moderator)
    assert list(CreatorDecision.objects.order_by("pk").values_list("action", "reason")) == [
        ("block", "spam"),
        ("unblock", "appeal upheld"),
    ]
    assert published().filter(pk=item.pk).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_block_without_a_reason_is_refused_and_writes_nothing(reason):
    creator = CreatorFactory()

    with pytest.raises(ApplicationError) as refused:
        creator_block(creator=creator, by=UserFactory(), reason=reason)

    assert refused.value.code == "reason_required"
    assert not CreatorStanding.objects.exists()
    assert not CreatorDecision.objects.exists()


def test_blocking_a_blocked_creator_is_refused_and_changes_nothing():
    creator = CreatorFactory()
    first = UserFactory()
    creator_block(creator=creator, by=first, reason="spam")

    with pytest.raises(ApplicationError) as refused:
        creator_block(creator=creator, by=UserFactory(), reason="something else")

    assert refused.value.code == "already_blocked"
    standing = CreatorStanding.objects.get()
    assert (standing.blocked, standing.reason, standing.updated_by) == (True, "spam", first)
    assert CreatorDecision.objects.count() == 1


@pytest.mark.parametrize("has_row", [False, True])
def test_unblocking_a_creator_who_is_not_blocked_is_refused_and_writes_nothing(has_row):
    creator = CreatorStandingFactory(reputation=0.7).creator if has_row else CreatorFactory()

    with pytest.raises(ApplicationError) as refused:
        creator_unblock(creator=creator, by=UserFactory())

    assert refused.value.code == "not_blocked"
    assert list(CreatorStanding.objects.values_list("reputation", "blocked", "updated_at")) == (
        [(0.7, False, None)] if has_row else []
    )
    assert not CreatorDecision.objects.exists()


def test_a_decision_clears_this_processs_catalog_once_it_commits(django_capture_on_commit_callbacks):
    item = ContentItemFactory()
    assert item.pk in catalog.catalog().servable

    with django_capture_on_commit_callbacks(execute=False) as pending:
        creator_block(creator=item.creator, by=UserFactory(), reason="spam")
    assert item.pk in catalog.catalog().servable  # not committed yet: the snapshot stands

    for callback in pending:
        callback()
    assert item.pk not in catalog.catalog().servable


def test_the_audit_record_outlives_the_creator():
    creator = CreatorFactory(handle="gone")
    creator_block(creator=creator, by=UserFactory(), reason="fraud")

    creator.delete()

    decision = CreatorDecision.objects.get()
    assert (decision.creator, decision.creator_handle, decision.reason) == (None, "gone", "fraud")
