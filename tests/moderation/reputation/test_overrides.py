"""Moderators' overrides of reputation and trust: reason required, audited, cleared back to the computed score."""

import pytest
from django.conf import settings

from feedsite.celery import app
from feedsite.errors import ApplicationError
from moderation.models import AuditEntry, CreatorStanding, ShopperTrust
from moderation.reputation import tasks
from moderation.reputation.services import creator_reputation_override, shopper_trust_override
from profiles.events import state
from tests.factories import CreatorFactory, CreatorStandingFactory, ShopperFactory, ShopperTrustFactory, UserFactory

pytestmark = pytest.mark.django_db


def _standing_state() -> list[tuple]:
    return list(
        CreatorStanding.objects.order_by("pk").values_list("creator_id", "reputation", "override", "override_reason")
    )


def _trust_state() -> list[tuple]:
    return list(ShopperTrust.objects.order_by("pk").values_list("shopper_id", "trust", "override", "override_reason"))


def test_a_reputation_override_replaces_the_computed_score_and_is_audited():
    moderator = UserFactory(username="mo")
    standing = CreatorStandingFactory(computed=0.15, reputation=0.15)

    creator_reputation_override(creator=standing.creator, value=0.6, by=moderator, reason="  brand verified  ")

    standing.refresh_from_db()
    assert (standing.reputation, standing.override, standing.override_reason, standing.override_by) == (
        0.6,
        0.6,
        "brand verified",
        moderator,
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_name, entry.target_type, entry.target_id, entry.note) == (
        "reputation_override",
        "mo",
        "creator",
        standing.creator_id,
        "brand verified",
    )
    assert entry.data == {
        "before": {"override": None, "reputation": 0.15},
        "after": {"override": 0.6, "reputation": 0.6},
        "computed": 0.15,
    }


def test_clearing_an_override_restores_the_computed_score_and_is_audited():
    standing = CreatorStandingFactory(computed=0.15, reputation=0.6, override=0.6, override_reason="verified")

    creator_reputation_override(creator=standing.creator, value=None, by=UserFactory(), reason="fakes after all")

    standing.refresh_from_db()
    assert (standing.reputation, standing.override, standing.override_reason, standing.override_by) == (
        0.15,
        None,
        "",
        None,
    )
    assert AuditEntry.objects.get().data["after"] == {"override": None, "reputation": 0.15}


def test_an_override_for_a_creator_without_a_standing_creates_one():
    creator = CreatorFactory()

    creator_reputation_override(creator=creator, value=0.05, by=UserFactory(), reason="spam ring")

    assert CreatorStanding.objects.values_list("reputation", "computed").get(creator=creator) == (0.05, 0.5)


@pytest.mark.parametrize(
    ("value", "reason", "code"),
    [
        (0.5, "", "reason_required"),
        (0.5, "   ", "reason_required"),
        (1.5, "why", "invalid_value"),
        (-0.1, "why", "invalid_value"),
        (float("nan"), "why", "invalid_value"),
        (None, "why", "no_override"),
    ],
)
def test_a_refused_reputation_override_changes_nothing(value, reason, code):
    standing = CreatorStandingFactory(computed=0.3, reputation=0.3)
    before = _standing_state()

    with pytest.raises(ApplicationError) as refused:
        creator_reputation_override(creator=standing.creator, value=value, by=UserFactory(), reason=reason)

    assert refused.value.code == code
    assert _standing_state() == before
    assert not AuditEntry.objects.exists()


def test_a_trust_override_is_audited_and_moves_the_counting_weight(django_capture_on_commit_callbacks):
    row = ShopperTrustFactory(computed=0.1, trust=0.1)
    state.shopper_count_weights_set({row.shopper_id: 0.1})

    with django_capture_on_commit_callbacks(execute=True):
        shopper_trust_override(shopper=row.shopper, value=0.9, by=UserFactory(username="mo"), reason="a tester")

    row.refresh_from_db()
    assert (row.trust, row.override, row.override_reason) == (0.9, 0.9, "a tester")
    assert state.shopper_count_weights([row.shopper_id]) == {}  # trusted: counts fully
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target_type, entry.target_id) == ("trust_override", "shopper", row.shopper_id)
    assert entry.data == {
        "before": {"override": None, "trust": 0.1},
        "after": {"override": 0.9, "trust": 0.9},
        "computed": 0.1,
    }

    with django_capture_on_commit_callbacks(execute=True):
        shopper_trust_override(shopper=row.shopper, value=None, by=UserFactory(), reason="it was a bot")

    row.refresh_from_db()
    assert (row.trust, row.override) == (0.1, None)
    assert state.shopper_count_weights([row.shopper_id]) == {row.shopper_id: 0.1}
    assert AuditEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("value", "reason", "code"),
    [(0.2, "", "reason_required"), (2.0, "why", "invalid_value"), (None, "why", "no_override")],
)
def test_a_refused_trust_override_changes_nothing(value, reason, code):
    shopper = ShopperFactory()
    before = _trust_state()

    with pytest.raises(ApplicationError) as refused:
        shopper_trust_override(shopper=shopper, value=value, by=UserFactory(), reason=reason)

    assert refused.value.code == code
    assert _trust_state() == before == []
    assert not AuditEntry.objects.exists()


def test_the_tasks_are_named_and_scheduled():
    assert tasks.recompute_reputations.apply().get() == 0
    assert tasks.recompute_trust.apply().get() == 0
    assert tasks.reconcile_reputations.apply().get() == 0
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {name: schedule[name]["task"] for name in schedule if name.startswith("moderation-")} == {
        "moderation-recompute-reputations": "moderation.recompute_reputations",
        "moderation-recompute-trust": "moderation.recompute_trust",
        "moderation-reconcile-reputations": "moderation.reconcile_reputations",
        "moderation-classifier-retrain": "moderation.classifier_retrain",
    }
    assert schedule["moderation-recompute-reputations"]["schedule"] == 300.0
    assert {
        "moderation.recompute_reputations",
        "moderation.recompute_trust",
        "moderation.reconcile_reputations",
    } <= set(app.tasks)
