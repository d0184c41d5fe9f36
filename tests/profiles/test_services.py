import uuid

import pytest

from profiles import services
from profiles.events.models import Interaction
from profiles.models import ConsentRecord, Follow, FollowChange, Interest, Shopper
from tests.factories import (
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
    # The old visitor id is retired: it names nobody, least of all the account.
    with pytest.raises(services.VisitorIdRetired):
        services.shopper_for_visitor(visitor_id=visitor.visitor_id)


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


def test_a_follow_and_an_unfollow_are_logged_once_each_without_the_shopper():
    shopper, creator = ShopperFactory(), CreatorFactory()

    follow = services.follow_create(shopper=shopper, creator=creator)
    services.follow_create(shopper=shopper, creator=creator)
    services.follow_delete(shopper=shopper, creator=creator)
    services.follow_delete(shopper=shopper, creator=creator)

    changes = list(FollowChange.objects.filter(creator=creator).order_by("pk").values_list("delta", "at"))
    assert [delta for delta, _ in changes] == [1, -1]
    assert changes[0][1] == follow.created_at
    assert changes[1][1] >= follow.created_at
    assert [f.name for f in FollowChange._meta.concrete_fields] == ["id", "creator", "delta", "at"]
