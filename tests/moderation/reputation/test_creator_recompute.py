"""The incremental creator recompute: running totals past the cursor, touches, the daily reconciliation."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from content.models import ContentItem
from content.services import content_publish, content_remove
from moderation.models import CreatorStanding, Report, ReputationCursor
from moderation.reputation import Evidence, reputation
from moderation.reputation.services import (
    creator_reputation_touch,
    creator_reputations_advance,
    creator_reputations_reconcile,
)
from profiles.events.models import Interaction
from tests.factories import ContentItemFactory, CreatorFactory, InteractionFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db
TOTALS = ("views", "impressions", "hides", "likes", "purchases", "watch_events", "watch_sum")


def _later(minutes: int = 5):
    """A run's clock once the interactions just stored have settled (``MODERATION_REPUTATION_SETTLE_SECONDS``)."""
    return timezone.now() + timedelta(minutes=minutes)


def _totals(creator) -> tuple:
    return CreatorStanding.objects.filter(creator=creator).values_list(*TOTALS).get()


def _cursor() -> int:
    return ReputationCursor.objects.get(name="creators").last_id


def _interact(item, kinds, **extra):
    return [InteractionFactory(content=item, type=kind, **extra) for kind in kinds]


def test_a_run_adds_every_settled_interaction_to_its_creators_totals_and_moves_the_cursor():
    loved, other = CreatorFactory(), CreatorFactory()
    item = ContentItemFactory(creator=loved)
    _interact(item, ["impression"] * 4 + ["view"] * 3 + ["like", "like", "unlike", "purchase", "hide"])
    _interact(item, ["video_progress"], value=50.0)
    _interact(item, ["video_progress"], value=100.0)
    _interact(item, ["video_progress"], value=250.0)  # clamped to a whole watch
    _interact(ContentItemFactory(creator=other), ["view"])
    last = _interact(ContentItemFactory(kind=ContentItem.Kind.PRODUCT_CARD, creator=None), ["like"])[-1]

    assert creator_reputations_advance(now=_later()) == 2

    assert _totals(loved) == (3, 4, 1, 1, 1, 3, 2.5)
    assert _totals(other) == (1, 0, 0, 0, 0, 0, 0.0)
    assert _cursor() == last.pk
    standing = CreatorStanding.objects.get(creator=loved)
    evidence = Evidence(judged=1, impressions=4, views=3, hides=1, likes=1, purchases=1, watch_events=3, watch_sum=2.5)
    assert (standing.items_judged, standing.items_removed, standing.account_age_days) == (1, 0, 0)
    assert standing.computed == standing.reputation == pytest.approx(reputation(evidence))


def test_a_creators_account_age_is_the_older_of_the_profile_and_the_user_account():
    veteran = CreatorFactory(user=UserFactory(date_joined=timezone.now() - timedelta(days=120)))
    _interact(ContentItemFactory(creator=veteran), ["view"])

    creator_reputations_advance(now=_later())

    assert CreatorStanding.objects.get(creator=veteran).account_age_days == 120


def test_a_second_run_reads_only_new_interactions_and_leaves_untouched_creators_as_they_were():
    busy, quiet = CreatorFactory(), CreatorFactory()
    busy_item = ContentItemFactory(creator=busy)
    _interact(busy_item, ["view", "like"])
    _interact(ContentItemFactory(creator=quiet), ["view"])
    creator_reputations_advance(now=_later(5))
    before = {row.creator_id: row for row in CreatorStanding.objects.all()}

    new = _interact(busy_item, ["view", "purchase"])[-1]
    assert creator_reputations_advance(now=_later(10)) == 1

    assert _cursor() == new.pk
    assert _totals(busy) == (2, 0, 0, 1, 1, 0, 0.0)
    assert CreatorStanding.objects.get(creator=busy).reputation_at > before[busy.pk].reputation_at
    untouched = CreatorStanding.objects.get(creator=quiet)
    assert (untouched.reputation_at, untouched.views) == (before[quiet.pk].reputation_at, 1)

    assert creator_reputations_advance(now=_later(15)) == 0  # nothing new: safe twice
    assert _cursor() == new.pk
    assert _totals(busy) == (2, 0, 0, 1, 1, 0, 0.0)


def test_interactions_still_settling_wait_for_a_later_run():
    creator = CreatorFactory()
    _interact(ContentItemFactory(creator=creator), ["view"])

    assert creator_reputations_advance(now=timezone.now()) == 0

    assert _cursor() == 0
    assert not CreatorStanding.objects.filter(creator=creator).exists()


def test_batches_are_bounded_and_each_one_moves_the_cursor(settings):
    settings.MODERATION_REPUTATION_BATCH = 2
    creator = CreatorFactory()
    views = _interact(ContentItemFactory(creator=creator), ["view"] * 5)

    creator_reputations_advance(now=_later(), max_batches=1)
    assert (_cursor(), _totals(creator)[0]) == (views[1].pk, 2)

    creator_reputations_advance(now=_later())
    assert (_cursor(), _totals(creator)[0]) == (views[4].pk, 5)


def test_a_touched_creator_is_recomputed_without_new_interactions(django_capture_on_commit_callbacks):
    creator, bystander = CreatorFactory(), CreatorFactory()
    item = ContentItemFactory(creator=creator)
    ContentItemFactory(creator=bystander)
    creator_reputation_touch(creator_ids=[creator.pk, bystander.pk])
    creator_reputations_advance(now=_later())
    first = CreatorStanding.objects.get(creator=creator).reputation

    with django_capture_on_commit_callbacks(execute=True):
        content_remove(item=item, reason="counterfeit")  # content_withdrawn touches the creator

    assert list(CreatorStanding.objects.filter(stale=True).values_list("creator_id", flat=True)) == [creator.pk]
    assert creator_reputations_advance(now=_later()) == 1
    standing = CreatorStanding.objects.get(creator=creator)
    assert (standing.items_judged, standing.items_removed, standing.stale) == (1, 1, False)
    assert standing.reputation == pytest.approx(reputation(Evidence(judged=1, removed=1)))
    assert standing.reputation < first


def test_upheld_reports_count_once_a_touch_says_so():
    creator = CreatorFactory()
    item = ContentItemFactory(creator=creator)
    ReportFactory(item=item, status=Report.Status.UPHELD)
    ReportFactory(item=item, status=Report.Status.UPHELD)
    ReportFactory(item=item, status=Report.Status.DISMISSED)
    ReportFactory(item=ContentItemFactory(creator=CreatorFactory()), status=Report.Status.UPHELD)

    assert creator_reputation_touch(creator_ids=[creator.pk]) == 1
    creator_reputations_advance(now=_later())

    standing = CreatorStanding.objects.get(creator=creator)
    assert standing.upheld_reports == 2
    assert standing.reputation == pytest.approx(reputation(Evidence(judged=1, upheld=2)))


def test_touching_unknown_creators_writes_nothing():
    assert creator_reputation_touch(creator_ids=[987654]) == 0
    assert creator_reputation_touch(creator_ids=[]) == 0
    assert not CreatorStanding.objects.exists()


def test_a_recompute_keeps_a_block_and_an_override():
    creator = CreatorFactory()
    CreatorStanding.objects.create(creator=creator, blocked=True, reason="fakes", override=0.9, reputation=0.9)
    _interact(ContentItemFactory(creator=creator), ["hide"] * 30)

    creator_reputations_advance(now=_later())

    standing = CreatorStanding.objects.get(creator=creator)
    assert (standing.blocked, standing.reason, standing.override, standing.reputation) == (True, "fakes", 0.9, 0.9)
    assert standing.computed < 0.2


def test_the_reconciliation_recounts_totals_past_retention_deletes_and_counts_nothing_twice():
    creator, silent = CreatorFactory(), CreatorFactory()
    item = ContentItemFactory(creator=creator)
    ContentItemFactory(creator=silent, status=ContentItem.Status.REMOVED)
    old = _interact(item, ["view", "view", "like"])
    creator_reputations_advance(now=_later())
    Interaction.objects.filter(pk=old[0].pk).delete()  # past retention

    assert creator_reputations_reconcile(now=_later()) == 2
    assert _totals(creator) == (1, 0, 0, 1, 0, 0, 0.0)
    assert CreatorStanding.objects.get(creator=silent).items_removed == 1

    _interact(item, ["view"])
    creator_reputations_advance(now=_later(10))  # only what came after the cursor
    assert _totals(creator) == (2, 0, 0, 1, 0, 0, 0.0)
    assert creator_reputations_reconcile(now=_later(10)) == 2
    assert _totals(creator) == (2, 0, 0, 1, 0, 0, 0.0)


def _someone_waits_on_a_lock() -> bool:
    """True once another session of this database waits on a lock (the second run on the cursor)."""
    with connection.cursor() as cursor:
        for _ in range(500):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # activity is otherwise frozen per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
            threading.Event().wait(0.01)
    return False


@pytest.mark.postgresql_only  # SQLite has one writer at a time and no row locks to show
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_count_each_interaction_once():
    """The second run waits on the first one's cursor lock, then starts where the first stopped."""
    creator = CreatorFactory()
    _interact(ContentItemFactory(creator=creator), ["view"] * 4)
    now = _later()
    results: dict[str, object] = {}
    first_locked = threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = creator_reputations_advance(now=now)  # the cursor stays locked until commit
                first_locked.set()
                results["second_waited"] = _someone_waits_on_a_lock()
        finally:
            connection.close()

    def second() -> None:
        first_locked.wait(5)
        try:
            results["second"] = creator_reputations_advance(now=now)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert results == {"first": 1, "second_waited": True, "second": 0}
    assert _totals(creator)[0] == 4


def test_publishing_an_item_touches_its_creator(django_capture_on_commit_callbacks):
    creator = CreatorFactory()
    item = ContentItemFactory(creator=creator, status=ContentItem.Status.PENDING, published_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        content_publish(item=item)

    assert CreatorStanding.objects.values_list("stale", flat=True).get(creator=creator) is True
    assert creator_reputations_advance(now=_later()) == 1
    assert CreatorStanding.objects.values_list("items_judged", "stale").get(creator=creator) == (1, False)
