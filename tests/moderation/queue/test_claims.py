import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from feedsite.errors import ApplicationError
from moderation.models import AuditEntry, Case
from moderation.queue.services import case_claim, case_next, case_release
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db
MINUTES = 15


@pytest.fixture(autouse=True)
def _claim_minutes(settings):
    settings.MODERATION_CLAIM_MINUTES = MINUTES


def _audit() -> list[tuple]:
    return list(AuditEntry.objects.order_by("pk").values_list("actor_id", "action", "target_type", "target_id", "data"))


def _held(case: Case, by, minutes: float = 5) -> Case:
    Case.objects.filter(pk=case.pk).update(claimed_by=by, claimed_until=timezone.now() + timedelta(minutes=minutes))
    case.refresh_from_db()
    return case


def test_claiming_gives_the_case_to_the_moderator_for_the_claim_time_and_is_audited(moderator):
    case = CaseFactory()
    before = timezone.now()

    case_claim(case=case, by=moderator)

    case.refresh_from_db()
    assert case.claimed_by == moderator
    assert before + timedelta(minutes=MINUTES) <= case.claimed_until <= timezone.now() + timedelta(minutes=MINUTES)
    assert _audit() == [(moderator.pk, "claim", "case", case.pk, {"minutes": MINUTES})]


def test_claiming_ones_own_case_again_renews_the_claim_without_a_new_audit_row(moderator):
    case = _held(CaseFactory(), moderator, minutes=1)

    case_claim(case=case, by=moderator)

    case.refresh_from_db()
    assert case.claimed_until > timezone.now() + timedelta(minutes=MINUTES - 1)
    assert _audit() == []


@pytest.mark.parametrize(
    ("setup", "code"),
    [("held_by_other", "claimed"), ("not_for", "not_for_you"), ("closed", "case_closed")],
)
def test_a_refused_claim_changes_nothing(moderator, other_moderator, setup, code):
    case = CaseFactory()
    if setup == "held_by_other":
        _held(case, other_moderator)
    elif setup == "not_for":
        Case.objects.filter(pk=case.pk).update(not_for=moderator)
    else:
        Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    before = Case.objects.values().get(pk=case.pk)

    with pytest.raises(ApplicationError) as refused:
        case_claim(case=case, by=moderator)

    assert refused.value.code == code
    assert Case.objects.values().get(pk=case.pk) == before
    assert _audit() == []


def test_someone_elses_expired_claim_can_be_taken(moderator, other_moderator):
    case = _held(CaseFactory(), other_moderator, minutes=-1)

    case_claim(case=case, by=moderator)

    case.refresh_from_db()
    assert case.claimed_by == moderator
    assert _audit() == [(moderator.pk, "claim", "case", case.pk, {"minutes": MINUTES})]


def test_releasing_gives_the_case_back_to_the_queue(moderator):
    case = _held(CaseFactory(), moderator)

    case_release(case=case, by=moderator)

    case.refresh_from_db()
    assert (case.claimed_by, case.claimed_until) == (None, None)
    assert _audit() == [(moderator.pk, "release", "case", case.pk, {})]


@pytest.mark.parametrize("holder", ["other", "nobody", "expired"])
def test_only_the_holder_of_an_unexpired_claim_may_release_it(moderator, other_moderator, holder):
    case = CaseFactory()
    if holder == "other":
        _held(case, other_moderator)
    elif holder == "expired":
        _held(case, moderator, minutes=-1)
    before = Case.objects.values().get(pk=case.pk)

    with pytest.raises(ApplicationError) as refused:
        case_release(case=case, by=moderator)

    assert refused.value.code == "not_yours"
    assert Case.objects.values().get(pk=case.pk) == before
    assert _audit() == []


def test_next_case_is_the_highest_priority_then_the_oldest_one_the_moderator_may_take(moderator, other_moderator):
    now = timezone.now()
    CaseFactory(risk=0.95, priority=0.95, not_for=moderator)  # contests the moderator's own decision
    _held(CaseFactory(risk=0.9, priority=0.9), other_moderator)
    CaseFactory(risk=0.99, priority=0.99, status=Case.Status.CLOSED)
    CaseFactory(priority=0.5, opened_at=now - timedelta(hours=1))
    older = CaseFactory(priority=0.5, opened_at=now - timedelta(hours=2))
    CaseFactory(priority=0.1)

    case = case_next(by=moderator)

    assert case == older
    older.refresh_from_db()
    assert older.claimed_by == moderator
    assert _audit() == [(moderator.pk, "claim", "case", older.pk, {"minutes": MINUTES})]


def test_next_case_takes_over_an_expired_claim(moderator, other_moderator):
    expired = _held(CaseFactory(priority=0.9), other_moderator, minutes=-1)
    CaseFactory(priority=0.1)

    assert case_next(by=moderator) == expired


def test_next_case_passes_over_and_releases_the_case_skipped(moderator):
    current = _held(CaseFactory(priority=0.9), moderator)
    following = CaseFactory(priority=0.2)

    case = case_next(by=moderator, skip=current)

    current.refresh_from_db()
    assert case == following
    assert current.claimed_by is None
    assert [row[1:4] for row in _audit()] == [("release", "case", current.pk), ("claim", "case", following.pk)]


def test_next_case_is_none_when_nothing_is_left_and_changes_nothing(moderator, other_moderator):
    _held(CaseFactory(), other_moderator)
    before = list(Case.objects.values())

    assert case_next(by=moderator) is None
    assert list(Case.objects.values()) == before
    assert _audit() == []


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_moderators_asking_at_once_never_get_the_same_case():
    first, second = CaseFactory(priority=0.9), CaseFactory(priority=0.8)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    alice_took, bob_asked = threading.Event(), threading.Event()
    got: dict[str, Case | None] = {}
    bob_answered_while_alice_held: list[bool] = []

    def alice_asks() -> None:
        try:
            # Alice's claim stays uncommitted (her row locked) while Bob asks.
            with transaction.atomic():
                got["alice"] = case_next(by=alice)
                alice_took.set()
                # Bob is not kept waiting for Alice's lock: he passes over her case.
                bob_answered_while_alice_held.append(bob_asked.wait(timeout=5))
        finally:
            connection.close()

    def bob_asks() -> None:
        try:
            alice_took.wait(timeout=10)
            got["bob"] = case_next(by=bob)
        finally:
            bob_asked.set()
            connection.close()

    threads = [threading.Thread(target=alice_asks), threading.Thread(target=bob_asks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert bob_answered_while_alice_held == [True]
    assert got == {"alice": first, "bob": second}
    assert dict(Case.objects.values_list("pk", "claimed_by__username")) == {first.pk: "alice", second.pk: "bob"}
