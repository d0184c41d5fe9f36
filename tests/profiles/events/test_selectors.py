import pytest

from content.models import Comment, ContentItem
from profiles.events import stream
from profiles.events.consumer import EventConsumer
from profiles.events.selectors import CardSocial, cards_social, cold_start_interest_tag_ids
from tests.factories import (
    CommentFactory,
    ContentItemFactory,
    FollowFactory,
    InteractionFactory,
    InterestFactory,
    LikeFactory,
    ShopperFactory,
    TagFactory,
)
from tests.profiles.events.conftest import stream_event

pytestmark = pytest.mark.django_db


def test_cards_social_counts_for_the_page_and_marks_the_shoppers_own(django_assert_num_queries):
    shopper = ShopperFactory()
    liked, other = ContentItemFactory(), ContentItemFactory()
    LikeFactory(shopper=shopper, content=liked)
    LikeFactory.create_batch(2, content=liked)
    LikeFactory(content=other)
    CommentFactory.create_batch(2, content=other)
    CommentFactory(content=other, status=Comment.Status.HIDDEN)
    FollowFactory(shopper=shopper, creator=other.creator)
    stream.append([stream_event(ShopperFactory().pk, liked.pk, "share", 1_700_000_000.0, "share-1")])
    EventConsumer(name="t", block_ms=0).drain()

    with django_assert_num_queries(1):
        social = cards_social(shopper=shopper, item_ids=[liked.pk, other.pk])

    assert social == {
        liked.pk: CardSocial(likes=3, comments=0, shares=1, liked=True, following=False),
        other.pk: CardSocial(likes=1, comments=2, shares=0, liked=False, following=True),
    }


def test_cards_social_leaves_out_items_no_longer_served():
    shopper = ShopperFactory()
    served, removed = ContentItemFactory(), ContentItemFactory(status=ContentItem.Status.REMOVED)

    social = cards_social(shopper=shopper, item_ids=[removed.pk, served.pk])

    assert list(social) == [served.pk]


def test_cards_social_without_the_realtime_store_has_no_shares(realtime_down):
    shopper, item = ShopperFactory(), ContentItemFactory()
    LikeFactory(shopper=shopper, content=item)

    assert cards_social(shopper=shopper, item_ids=[item.pk]) == {item.pk: CardSocial(likes=1, liked=True)}


@pytest.mark.parametrize(
    ("history", "expected"),
    [([], True), (["impression", "dwell", "view", "video_progress"], True), (["impression", "like"], False)],
)
def test_interests_count_as_cold_start_until_the_shopper_engages(history, expected):
    shopper = ShopperFactory()
    tags = [TagFactory(), TagFactory()]
    for tag in tags:
        InterestFactory(shopper=shopper, tag=tag)
    for kind in history:
        InteractionFactory(shopper=shopper, type=kind)

    assert cold_start_interest_tag_ids(shopper=shopper) == ([tag.pk for tag in tags] if expected else [])
