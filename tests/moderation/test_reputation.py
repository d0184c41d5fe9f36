import pytest
from django.conf import settings

from content.models import ContentItem
from feedsite.celery import app
from moderation import tasks
from moderation.models import CreatorStanding
from moderation.reputation import NEUTRAL, Evidence, evidence_by_creator, reputation
from moderation.services import creator_block, creator_reputations_recompute
from ranking.signals import NEUTRAL_REPUTATION
from tests.factories import ContentItemFactory, CreatorFactory, InteractionFactory, UserFactory

Status = ContentItem.Status


# The formula (moderation.reputation's docstring), value by value.


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (Evidence(), 0.5),  # nothing known: neutral
        (Evidence(judged=10), 0.5714),  # ten items, none removed: a little better than typical
        (Evidence(judged=6, removed=6), 0.1798),  # everything removed: below the default bar of 0.2
        (Evidence(judged=6, removed=1), 0.4103),
        (Evidence(impressions=1000, hides=200), 0.1739),  # one impression in five hidden
        (Evidence(impressions=1000, hides=20), 0.5),  # hidden as often as a typical creator
        (Evidence(impressions=1, hides=1), 0.4713),  # one hide: the prior holds
    ],
)
def test_reputation_follows_the_formula(evidence, expected):
    assert reputation(evidence) == pytest.approx(expected, abs=1e-4)


def test_a_new_creator_is_neutral_and_neutral_is_served_by_default():
    assert reputation(Evidence()) == NEUTRAL == NEUTRAL_REPUTATION  # ranking's for a creator without a standing
    assert settings.FEED_MIN_CREATOR_REPUTATION < NEUTRAL


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        (Evidence(judged=10, removed=1), Evidence(judged=10, removed=2)),
        (Evidence(impressions=300, hides=3), Evidence(impressions=300, hides=4)),
        (Evidence(judged=10, impressions=300), Evidence(judged=10, removed=1, impressions=300, hides=1)),
    ],
)
def test_removed_items_and_hides_lower_the_reputation(better, worse):
    assert reputation(worse) < reputation(better)


def test_a_long_clean_record_tends_to_one():
    assert 0.9 < reputation(Evidence(judged=500, impressions=100_000)) < 1


def test_hides_without_impressions_count_as_hides_on_as_many_impressions():
    # An import or a client that sends no impressions: no division by zero, the prior still holds.
    assert reputation(Evidence(hides=1)) == reputation(Evidence(impressions=1, hides=1))
    assert 0 < reputation(Evidence(hides=1000)) < 0.2


# The evidence, read from the database.


@pytest.mark.django_db
def test_evidence_counts_judged_and_removed_items_and_impressions_and_hides_per_creator():
    mixed, hidden_once, drafts_only = CreatorFactory(), CreatorFactory(), CreatorFactory()
    shown = ContentItemFactory(creator=mixed)
    ContentItemFactory.create_batch(2, creator=mixed)
    ContentItemFactory(creator=mixed, status=Status.REMOVED)
    ContentItemFactory(creator=mixed, status=Status.REJECTED, published_at=None)  # a review, not a removal
    ContentItemFactory(creator=mixed, status=Status.DRAFT, published_at=None)
    ContentItemFactory(creator=drafts_only, status=Status.DRAFT, published_at=None)
    for kind in ["impression"] * 4 + ["hide", "view", "like"]:
        InteractionFactory(content=shown, type=kind)
    InteractionFactory(content=ContentItemFactory(creator=hidden_once), type="hide")
    InteractionFactory(content=ContentItemFactory(kind=ContentItem.Kind.PRODUCT_CARD, creator=None), type="hide")

    assert evidence_by_creator() == {
        mixed.pk: Evidence(judged=4, removed=1, impressions=4, hides=1),
        hidden_once.pk: Evidence(judged=1, removed=0, impressions=0, hides=1),
    }


@pytest.mark.django_db
def test_recompute_stores_each_creators_reputation_and_evidence_and_keeps_blocks():
    removed_often, blocked = CreatorFactory(), CreatorFactory()
    ContentItemFactory(creator=removed_often)
    ContentItemFactory.create_batch(3, creator=removed_often, status=Status.REMOVED)
    creator_block(creator=blocked, by=UserFactory(), reason="counterfeits")
    untouched = CreatorFactory()  # no evidence and no row: stays without one (neutral)

    assert creator_reputations_recompute() == 2
    assert creator_reputations_recompute() == 2  # safe twice

    standing = CreatorStanding.objects.get(creator=removed_often)
    assert standing.reputation == pytest.approx(reputation(Evidence(judged=4, removed=3)))
    assert (standing.items_judged, standing.items_removed, standing.impressions, standing.hides) == (4, 3, 0, 0)
    assert standing.reputation_at is not None
    assert not standing.blocked
    kept = CreatorStanding.objects.get(creator=blocked)
    assert (kept.blocked, kept.reason, kept.reputation) == (True, "counterfeits", NEUTRAL)
    assert not CreatorStanding.objects.filter(creator=untouched).exists()


@pytest.mark.django_db
def test_the_hourly_task_recomputes_reputations():
    creator = CreatorFactory()
    ContentItemFactory(creator=creator, status=Status.REMOVED)

    assert tasks.recompute_reputations.apply().get() == 1

    assert CreatorStanding.objects.get(creator=creator).reputation < NEUTRAL
    assert "moderation.recompute_reputations" in app.tasks
    schedule = settings.CELERY_BEAT_SCHEDULE["moderation-recompute-reputations"]
    assert schedule["task"] == "moderation.recompute_reputations"
