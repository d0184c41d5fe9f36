from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import Comment, ContentItem
from feedsite.errors import ApplicationError
from moderation import services as moderation_services
from moderation.checks import classifier_active
from moderation.models import Appeal, AuditEntry, Case, ClassifierVersion, CreatorDecision, CreatorStanding, Report
from moderation.queue import decisions
from moderation.queue.decisions import (
    appeal_decide,
    case_decide,
    comment_approve,
    comment_hide,
    comment_remove,
    creator_approve,
    creator_block,
    item_approve,
    item_hide,
    item_reject,
    item_remove,
)
from moderation.services import creator_unblock
from tests.factories import (
    AppealFactory,
    CaseFactory,
    CommentFactory,
    ContentItemFactory,
    CreatorFactory,
    ReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Status = ContentItem.Status


def _audit() -> list[tuple]:
    return list(
        AuditEntry.objects.order_by("pk").values_list(
            "actor_id", "actor_name", "action", "target_type", "target_id", "reason_code", "note", "data"
        )
    )


def _case_state(case: Case) -> tuple:
    case.refresh_from_db()
    return (case.status, case.closed_by, case.outcome, case.closed_at is not None)


def _item_with_case_and_report(status: str) -> tuple[ContentItem, Case, Report]:
    item = ContentItemFactory(status=status, published_at=None if status == Status.PENDING else timezone.now())
    case = CaseFactory(item=item, why=Case.Why.REPORTED, reports=1)
    report = ReportFactory(item=item, case=case)
    return item, case, report


# Items


@pytest.mark.parametrize(
    ("decide", "start", "code", "note", "end", "told", "action", "settled"),
    [
        (item_approve, Status.PENDING, "ok", "", Status.PUBLISHED, "", "approve", "dismissed"),
        (item_approve, Status.HIDDEN, "ok", "fine after all", Status.PUBLISHED, "", "approve", "dismissed"),
        (item_reject, Status.PENDING, "spam", "Five links", Status.REJECTED, "Spam: Five links", "reject", "upheld"),
        (item_remove, Status.PUBLISHED, "counterfeit", "", Status.REMOVED, "Counterfeit", "remove", "upheld"),
        (item_hide, Status.PUBLISHED, "misleading", "Claims", Status.HIDDEN, "Misleading: Claims", "hide", "upheld"),
    ],
)
def test_an_item_decision_changes_the_item_closes_its_case_settles_its_reports_and_is_audited(
    moderator, decide, start, code, note, end, told, action, settled
):
    item, case, report = _item_with_case_and_report(start)

    done = decide(item=item, by=moderator, reason_code=code, note=f"  {note}  ")

    item.refresh_from_db()
    assert (done.status, item.status, item.status_reason) == (end, end, told)
    assert _case_state(case) == (Case.Status.CLOSED, moderator, action, True)
    report.refresh_from_db()
    assert report.status == settled
    assert _audit() == [
        (
            moderator.pk,
            "mod",
            action,
            "item",
            item.pk,
            code,
            note,
            {"case": case.pk, "from": start, "to": end, "reports": [report.pk]},
        )
    ]


def test_an_item_decision_marks_its_creator_for_the_next_reputation_run(moderator):
    item, _, _ = _item_with_case_and_report(Status.PENDING)
    assert not CreatorStanding.objects.filter(creator=item.creator).exists()

    item_reject(item=item, by=moderator, reason_code="spam", note="")

    assert CreatorStanding.objects.get(creator=item.creator).stale is True


def test_approving_an_item_with_a_future_publish_time_schedules_it(moderator):
    item = ContentItemFactory(status=Status.PENDING, published_at=None, publish_at=timezone.now() + timedelta(days=1))

    item_approve(item=item, by=moderator)

    item.refresh_from_db()
    assert item.status == Status.SCHEDULED
    assert _audit()[0][7] == {"case": None, "from": Status.PENDING, "to": Status.SCHEDULED, "reports": []}


def test_a_decision_on_an_item_without_a_case_is_audited_with_no_case(moderator):
    item = ContentItemFactory(status=Status.PUBLISHED)

    item_remove(item=item, by=moderator, reason_code="copyright", note="Not theirs")

    assert _audit() == [
        (
            moderator.pk,
            "mod",
            "remove",
            "item",
            item.pk,
            "copyright",
            "Not theirs",
            {"case": None, "from": Status.PUBLISHED, "to": Status.REMOVED, "reports": []},
        )
    ]


def test_reports_of_another_target_and_settled_reports_are_left_alone(moderator):
    item, _, report = _item_with_case_and_report(Status.PENDING)
    elsewhere = ReportFactory()
    already = ReportFactory(item=item, status=Report.Status.DISMISSED)

    item_reject(item=item, by=moderator, reason_code="spam")

    assert dict(Report.objects.values_list("pk", "status")) == {
        report.pk: "upheld",
        elsewhere.pk: "open",
        already.pk: "dismissed",
    }


def _snapshot(item: ContentItem, case: Case) -> tuple:
    return (
        ContentItem.objects.values().get(pk=item.pk),
        Case.objects.values().get(pk=case.pk),
        list(Report.objects.values_list("pk", "status")),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(
    ("decide", "start", "kwargs", "code"),
    [
        (item_reject, Status.PENDING, {"reason_code": "rude"}, "invalid_reason_code"),
        (item_reject, Status.PENDING, {"reason_code": "ok"}, "reason_required"),
        (item_remove, Status.PUBLISHED, {"reason_code": "spam", "note": "x" * 1001}, "note_too_long"),
        (item_reject, Status.PUBLISHED, {"reason_code": "spam"}, "invalid_transition"),
        (item_hide, Status.PENDING, {"reason_code": "spam"}, "invalid_transition"),
        (item_approve, Status.PUBLISHED, {}, "invalid_transition"),
    ],
)
def test_a_refused_item_decision_changes_nothing(moderator, decide, start, kwargs, code):
    item, case, _ = _item_with_case_and_report(start)
    before = _snapshot(item, case)

    with pytest.raises(ApplicationError) as refused:
        decide(item=item, by=moderator, **kwargs)

    assert refused.value.code == code
    assert _snapshot(item, case) == before


def test_deciding_an_item_whose_case_someone_else_holds_is_refused_and_changes_nothing(moderator, other_moderator):
    item, case, _ = _item_with_case_and_report(Status.PENDING)
    Case.objects.filter(pk=case.pk).update(
        claimed_by=other_moderator, claimed_until=timezone.now() + timedelta(minutes=5)
    )
    before = _snapshot(item, case)

    with pytest.raises(ApplicationError) as refused:
        item_reject(item=item, by=moderator, reason_code="spam")

    assert refused.value.code == "claimed"
    assert refused.value.message.startswith(f"Case {case.pk} is being reviewed by other until ")
    assert _snapshot(item, case) == before


def test_an_expired_claim_does_not_stop_a_decision(moderator, other_moderator):
    item, case, _ = _item_with_case_and_report(Status.PENDING)
    Case.objects.filter(pk=case.pk).update(claimed_by=other_moderator, claimed_until=timezone.now())

    item_reject(item=item, by=moderator, reason_code="spam")

    assert _case_state(case) == (Case.Status.CLOSED, moderator, "reject", True)


def test_the_moderator_a_case_is_not_for_cannot_decide_it(moderator):
    item, case, _ = _item_with_case_and_report(Status.PENDING)
    Case.objects.filter(pk=case.pk).update(not_for=moderator)
    before = _snapshot(item, case)

    with pytest.raises(ApplicationError) as refused:
        item_approve(item=item, by=moderator)

    assert refused.value.code == "not_for_you"
    assert _snapshot(item, case) == before


def test_each_decision_runs_the_after_decision_hook_once_after_commit(
    moderator, monkeypatch, django_capture_on_commit_callbacks
):
    calls: list[None] = []
    monkeypatch.setattr(decisions, "_after_decision", lambda: calls.append(None))
    item = ContentItemFactory(status=Status.PENDING, published_at=None)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item_reject(item=item, by=moderator, reason_code="spam")
    assert calls == []
    for callback in callbacks:
        callback()

    assert calls == [None]


def test_decisions_retrain_the_classifier_once_enough_of_them_came(
    moderator, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.MODERATION_RETRAIN_AFTER_DECISIONS = 2
    classifier_active()  # the seed version
    items = [ContentItemFactory(status=Status.PENDING, published_at=None) for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        item_reject(item=items[0], by=moderator, reason_code="spam")
    assert ClassifierVersion.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        item_approve(item=items[1], by=moderator)

    assert list(ClassifierVersion.objects.values_list("version", "source")) == [(2, "decisions"), (1, "seed")]


# Comments


@pytest.mark.parametrize(
    ("decide", "start", "code", "end", "reason", "action", "settled"),
    [
        (comment_approve, Comment.Status.HIDDEN, "ok", Comment.Status.VISIBLE, "", "approve", "dismissed"),
        (comment_hide, Comment.Status.VISIBLE, "offensive", Comment.Status.HIDDEN, "offensive", "hide", "upheld"),
        (comment_remove, Comment.Status.VISIBLE, "spam", Comment.Status.HIDDEN, "removed", "remove", "upheld"),
    ],
)
def test_a_comment_decision_sets_its_status_closes_its_case_and_is_audited(
    moderator, decide, start, code, end, reason, action, settled
):
    comment = CommentFactory(status=start, moderation_reason="banned_word" if start == "hidden" else "")
    case = CaseFactory(item=None, comment=comment, why=Case.Why.REPORTED, reports=1)
    report = ReportFactory(item=None, comment=comment, case=case)

    decide(comment=comment, by=moderator, reason_code=code, note="checked")

    comment.refresh_from_db()
    report.refresh_from_db()
    assert (comment.status, comment.moderation_reason, report.status) == (end, reason, settled)
    assert _case_state(case) == (Case.Status.CLOSED, moderator, action, True)
    assert _audit() == [
        (
            moderator.pk,
            "mod",
            action,
            "comment",
            comment.pk,
            code,
            "checked",
            {"case": case.pk, "from": start, "to": end, "reports": [report.pk]},
        )
    ]


@pytest.mark.parametrize("decide", [comment_approve, comment_hide, comment_remove])
def test_a_removed_comment_stays_removed(moderator, decide):
    comment = CommentFactory(status=Comment.Status.HIDDEN, moderation_reason="removed")
    before = Comment.objects.values().get(pk=comment.pk)

    with pytest.raises(ApplicationError) as refused:
        decide(comment=comment, by=moderator, reason_code="spam")

    assert refused.value.code == "invalid_transition"
    assert Comment.objects.values().get(pk=comment.pk) == before
    assert not AuditEntry.objects.exists()


# Creator profiles


def test_approving_a_creator_profile_keeps_it_and_closes_the_case(moderator):
    creator = CreatorFactory()
    case = CaseFactory(item=None, creator=creator)

    creator_approve(creator=creator, by=moderator, note="bio is fine")

    assert _case_state(case) == (Case.Status.CLOSED, moderator, "approve", True)
    assert not CreatorStanding.objects.exists()
    assert _audit() == [(moderator.pk, "mod", "approve", "creator", creator.pk, "ok", "bio is fine", {"case": case.pk})]


def test_approving_a_creator_without_a_case_is_refused(moderator):
    with pytest.raises(ApplicationError) as refused:
        creator_approve(creator=CreatorFactory(), by=moderator)

    assert refused.value.code == "no_case"
    assert not AuditEntry.objects.exists()


def test_blocking_a_creator_from_their_case_blocks_them_and_closes_the_case(moderator):
    creator = CreatorFactory()
    case = CaseFactory(item=None, creator=creator)

    creator_block(creator=creator, by=moderator, reason_code="spam", note="link farm")

    standing = CreatorStanding.objects.get(creator=creator)
    assert (standing.blocked, standing.reason) == (True, "Spam: link farm")
    assert list(CreatorDecision.objects.values_list("action", "reason", "by")) == [
        ("block", "Spam: link farm", moderator.pk)
    ]
    assert _case_state(case) == (Case.Status.CLOSED, moderator, "block", True)
    assert _audit() == [(moderator.pk, "mod", "block", "creator", creator.pk, "spam", "Spam: link farm", {})]


def test_blocking_from_the_standing_pages_is_audited_too(moderator):
    creator = CreatorFactory()

    moderation_services.creator_block(creator=creator, by=moderator, reason="counterfeit sneakers")

    assert _audit() == [(moderator.pk, "mod", "block", "creator", creator.pk, "", "counterfeit sneakers", {})]


def test_unblocking_a_creator_is_audited(moderator):
    creator = CreatorFactory()
    creator_block(creator=creator, by=moderator, reason_code="spam")

    creator_unblock(creator=creator, by=moderator, reason="appeal upheld")

    assert _audit()[1] == (moderator.pk, "mod", "unblock", "creator", creator.pk, "", "appeal upheld", {})


# Appeals


def _appeal(contested_by, status=Status.REJECTED) -> tuple[Appeal, Case]:
    appeal = AppealFactory(item__status=status, contested_status=status, contested_by=contested_by)
    case = CaseFactory(item=appeal.item, why=Case.Why.APPEAL, not_for=contested_by)
    Appeal.objects.filter(pk=appeal.pk).update(case=case)
    return appeal, case


@pytest.mark.parametrize("start", [Status.REJECTED, Status.REMOVED])
def test_granting_an_appeal_publishes_the_item_again(moderator, other_moderator, start):
    appeal, case = _appeal(other_moderator, start)

    appeal_decide(appeal=appeal, by=moderator, grant=True, note="Our mistake")

    appeal.refresh_from_db()
    appeal.item.refresh_from_db()
    assert (appeal.status, appeal.decided_by, appeal.response) == ("granted", moderator, "Our mistake")
    assert appeal.decided_at is not None
    assert appeal.item.status == Status.PUBLISHED
    assert _case_state(case) == (Case.Status.CLOSED, moderator, "appeal_grant", True)
    assert _audit() == [
        (
            moderator.pk,
            "mod",
            "appeal_grant",
            "item",
            appeal.item_id,
            "ok",
            "Our mistake",
            {"case": case.pk, "appeal": appeal.pk, "from": start, "to": Status.PUBLISHED, "reports": []},
        )
    ]


def test_denying_an_appeal_leaves_the_item_as_it_is(moderator, other_moderator):
    appeal, case = _appeal(other_moderator)

    appeal_decide(appeal=appeal, by=moderator, grant=False, note="The logo is a replica")

    appeal.refresh_from_db()
    appeal.item.refresh_from_db()
    assert (appeal.status, appeal.response, appeal.item.status) == ("denied", "The logo is a replica", Status.REJECTED)
    assert _case_state(case) == (Case.Status.CLOSED, moderator, "appeal_deny", True)
    assert _audit() == [
        (
            moderator.pk,
            "mod",
            "appeal_deny",
            "item",
            appeal.item_id,
            "",
            "The logo is a replica",
            {"case": case.pk, "appeal": appeal.pk, "from": Status.REJECTED, "to": Status.REJECTED, "reports": []},
        )
    ]


@pytest.mark.parametrize(
    ("who", "grant", "note", "decided", "code"),
    [
        ("contested", True, "", False, "not_for_you"),
        ("other", False, "  ", False, "reason_required"),
        ("other", True, "", True, "appeal_decided"),
    ],
)
def test_a_refused_appeal_decision_changes_nothing(moderator, other_moderator, who, grant, note, decided, code):
    appeal, case = _appeal(moderator)
    if decided:
        Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.DENIED)
    by = moderator if who == "contested" else other_moderator
    before = (
        Appeal.objects.values().get(pk=appeal.pk),
        ContentItem.objects.values().get(pk=appeal.item_id),
        Case.objects.values().get(pk=case.pk),
    )

    with pytest.raises(ApplicationError) as refused:
        appeal_decide(appeal=appeal, by=by, grant=grant, note=note)

    assert refused.value.code == code
    assert before == (
        Appeal.objects.values().get(pk=appeal.pk),
        ContentItem.objects.values().get(pk=appeal.item_id),
        Case.objects.values().get(pk=case.pk),
    )
    assert not AuditEntry.objects.exists()


# Any decision by name


@pytest.mark.parametrize(
    ("target", "decision", "outcome"),
    [
        ("item", "reject", "reject"),
        ("comment", "hide", "hide"),
        ("creator", "block", "block"),
        ("appeal", "grant", "appeal_grant"),
    ],
)
def test_case_decide_takes_the_named_decision_on_the_case_target(moderator, other_moderator, target, decision, outcome):
    if target == "appeal":
        _, case = _appeal(other_moderator)
    elif target == "item":
        case = CaseFactory()
    else:
        case = CaseFactory(item=None, **{target: CommentFactory() if target == "comment" else CreatorFactory()})

    decided = case_decide(case=case, by=moderator, decision=decision, reason_code="spam", note="n")

    assert (decided.status, decided.outcome, decided.closed_by) == (Case.Status.CLOSED, outcome, moderator)


@pytest.mark.parametrize(("target", "decision"), [("item", "block"), ("comment", "reject"), ("appeal", "approve")])
def test_case_decide_refuses_a_decision_that_does_not_apply_to_the_target(moderator, other_moderator, target, decision):
    if target == "appeal":
        _, case = _appeal(other_moderator)
    elif target == "item":
        case = CaseFactory()
    else:
        case = CaseFactory(item=None, comment=CommentFactory())
    before = Case.objects.values().get(pk=case.pk)

    with pytest.raises(ApplicationError) as refused:
        case_decide(case=case, by=moderator, decision=decision, reason_code="spam")

    assert refused.value.code == "not_offered"
    assert Case.objects.values().get(pk=case.pk) == before
    assert not AuditEntry.objects.exists()


def test_case_decide_refuses_a_closed_case_even_when_its_target_could_move(moderator):
    case = CaseFactory(status=Case.Status.CLOSED)
    before = (Case.objects.values().get(pk=case.pk), ContentItem.objects.values().get(pk=case.item_id))

    with pytest.raises(ApplicationError) as refused:
        case_decide(case=case, by=moderator, decision="approve")

    assert refused.value.code == "case_closed"
    assert (Case.objects.values().get(pk=case.pk), ContentItem.objects.values().get(pk=case.item_id)) == before
    assert not AuditEntry.objects.exists()


def test_a_decision_by_a_user_is_audited_under_their_name_even_after_they_are_gone():
    user = UserFactory(username="gone")
    item = ContentItemFactory(status=Status.PENDING, published_at=None)
    item_reject(item=item, by=user, reason_code="spam")

    user.delete()

    assert list(AuditEntry.objects.values_list("actor_id", "actor_name")) == [(None, "gone")]
