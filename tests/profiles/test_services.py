import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection

from content.models import ContentItem
from feedsite.errors import ApplicationError
from profiles import services, tasks
from profiles.models import ConsentRecord, Follow, Interaction, Interest, Shopper
from tests.factories import (
    ContentItemFactory,
    CreatorFactory,
    InteractionFactory,
    ShopperFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_visitor_shopper_is_created_once_per_visitor_id():
    visitor_id = uuid.uuid4()

    first = services.shopper_for_visitor(visitor_id=visitor_id)
    second = services.shopper_for_visitor(visitor_id=visitor_id)

    assert first.pk == second.pk
    assert first.is_anonymous_visitor


def test_merge_moves_visitor_history_to_user_and_keeps_one_of_each_follow():
    visitor = services.shopper_for_visitor(visitor_id=uuid.uuid4())
    user = UserFactory()
    shared_creator, other_creator = CreatorFactory(), CreatorFactory()
    target = services.shopper_for_user(user=user)
    services.follow_create(shopper=target, creator=shared_creator)
    services.follow_create(shopper=visitor, creator=shared_creator)
    services.follow_create(shopper=visitor, creator=other_creator)
    InteractionFactory.create_batch(3, shopper=visitor)

    merged = services.shopper_merge_visitor(visitor_id=visitor.visitor_id, user=user)

    assert merged.pk == target.pk
    assert Interaction.objects.filter(shopper=target).count() == 3
    assert Interaction.objects.filter(shopper=visitor).count() == 0
    assert set(Follow.objects.filter(shopper=target).values_list("creator", flat=True)) == {
        shared_creator.pk,
        other_creator.pk,
    }
    assert Follow.objects.count() == 2
    visitor.refresh_from_db()
    assert visitor.merged_into_id == target.pk
    # The old cookie now resolves to the user's shopper.
    assert services.shopper_for_visitor(visitor_id=visitor.visitor_id).pk == target.pk


def test_merge_twice_changes_nothing_the_second_time():
    visitor = services.shopper_for_visitor(visitor_id=uuid.uuid4())
    user = UserFactory()
    InteractionFactory(shopper=visitor)
    services.shopper_merge_visitor(visitor_id=visitor.visitor_id, user=user)

    again = services.shopper_merge_visitor(visitor_id=visitor.visitor_id, user=user)

    assert again.interactions.count() == 1
    assert Shopper.objects.count() == 2


def test_consent_is_recorded_with_history():
    shopper = ShopperFactory()

    services.consent_set(shopper=shopper, personalization=False)
    services.consent_set(shopper=shopper, personalization=True, source="settings")

    shopper.refresh_from_db()
    assert shopper.personalization is True
    assert shopper.consent_updated_at is not None
    assert list(ConsentRecord.objects.filter(shopper=shopper).values_list("personalization", "source")) == [
        (False, "banner"),
        (True, "settings"),
    ]


def test_interests_replace_previous_choice_and_mark_onboarded():
    shopper = ShopperFactory()
    skin, shoes, home = TagFactory(), TagFactory(), TagFactory()
    services.interests_set(shopper=shopper, tags=[skin, shoes])

    services.interests_set(shopper=shopper, tags=[shoes, home])

    assert set(Interest.objects.filter(shopper=shopper).values_list("tag", flat=True)) == {shoes.pk, home.pk}
    assert shopper.onboarded_at is not None


def test_follow_twice_keeps_one_row_and_unfollow_reports_whether_it_existed():
    shopper, creator = ShopperFactory(), CreatorFactory()

    services.follow_create(shopper=shopper, creator=creator)
    services.follow_create(shopper=shopper, creator=creator)

    assert Follow.objects.filter(shopper=shopper, creator=creator).count() == 1
    assert services.follow_delete(shopper=shopper, creator=creator) is True
    assert services.follow_delete(shopper=shopper, creator=creator) is False


def test_interaction_record_is_idempotent_on_event_id():
    shopper, item = ShopperFactory(), ContentItemFactory()

    first, created = services.interaction_record(event_id="e-1", shopper=shopper, content=item, type="like")
    again, created_again = services.interaction_record(event_id="e-1", shopper=shopper, content=item, type="like")

    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Interaction.objects.count() == 1


def test_interaction_record_refuses_unknown_type_and_stores_nothing():
    with pytest.raises(ApplicationError, match="Unknown interaction type"):
        services.interaction_record(event_id="e-2", shopper=ShopperFactory(), content=ContentItemFactory(), type="poke")

    assert Interaction.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_records_of_one_event_store_it_once():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs a real server")
    shopper, item = ShopperFactory(), ContentItemFactory()

    def record(_: int) -> bool:
        try:
            return services.interaction_record(event_id="race", shopper=shopper, content=item, type="view")[1]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        created = list(pool.map(record, range(8)))

    assert created.count(True) == 1
    assert Interaction.objects.filter(event_id="race").count() == 1


def test_engagement_refresh_counts_interactions_per_item():
    busy, quiet = ContentItemFactory(), ContentItemFactory()
    InteractionFactory.create_batch(3, content=busy)

    services.engagement_refresh()

    assert ContentItem.objects.get(pk=busy.pk).engagement == 3
    assert ContentItem.objects.get(pk=quiet.pk).engagement == 0


def test_the_scheduled_engagement_refresh_writes_only_the_counts_that_changed():
    busy, quiet = ContentItemFactory(), ContentItemFactory()
    InteractionFactory.create_batch(2, content=busy)
    assert tasks.refresh_engagement.apply().get() == 1  # busy: 0 → 2; quiet stays 0

    InteractionFactory(content=quiet)

    assert tasks.refresh_engagement.apply().get() == 1
    assert [ContentItem.objects.get(pk=i.pk).engagement for i in (busy, quiet)] == [2, 1]
    assert "profiles.refresh_engagement" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
