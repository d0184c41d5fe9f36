from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest

from content.models import ContentItem
from profiles import services
from profiles.events import writer
from profiles.events.creator_stats import Figures, creator_stats, period_start
from tests.factories import ContentItemFactory, CreatorFactory, ShopperFactory
from tests.profiles.events.conftest import make_event, post_events, stream_event

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _at(moment: datetime) -> float:
    return moment.timestamp()


def _world():
    """A creator with a 10 s video, an image and a rejected post; another creator's post."""
    creator = CreatorFactory()
    video = ContentItemFactory(creator=creator, kind=ContentItem.Kind.VIDEO, duration_ms=10_000)
    image = ContentItemFactory(creator=creator)
    rejected = ContentItemFactory(
        creator=creator, status=ContentItem.Status.REJECTED, status_reason="Shows a weapon", published_at=None
    )
    other = ContentItemFactory()
    return creator, video, image, rejected, other


def _record(shopper_id: int, item_id: int, kind: str, moment: datetime, **fields) -> object:
    return stream_event(shopper_id, item_id, kind, _at(moment), **fields)


def test_figures_per_item_and_in_total_count_exactly_the_period_events():
    creator, video, image, rejected, other = _world()
    s = ShopperFactory().pk
    today, first_day = NOW - timedelta(hours=1), period_start(days=7, now=NOW)
    events = [
        *[_record(s, video.pk, "impression", today) for _ in range(3)],
        _record(s, video.pk, "impression", first_day),  # the first moment of the period counts
        _record(s, video.pk, "impression", first_day - timedelta(seconds=1)),  # before it: not
        _record(s, video.pk, "impression", NOW + timedelta(minutes=1)),  # after now: not
        _record(s, video.pk, "dwell", today, dwell_ms=9_500),  # watched through (≥ 9 s of 10)
        _record(s, video.pk, "dwell", today, dwell_ms=9_000),  # exactly 90 %: through
        _record(s, video.pk, "dwell", today, dwell_ms=5_000),  # a view, not through
        _record(s, video.pk, "dwell", today, dwell_ms=1_500),  # under 2 s: no view
        _record(s, video.pk, "view", today),  # the client's view, no time: a view, not timed
        _record(s, video.pk, "view", today - 2 * DAY, dwell_ms=30_000),  # looped: through
        _record(s, video.pk, "like", today),
        _record(s, video.pk, "like", today),
        _record(s, video.pk, "unlike", today),
        _record(s, video.pk, "share", today),
        _record(s, video.pk, "product_click", today),
        _record(s, video.pk, "product_click", today),
        _record(s, video.pk, "add_to_cart", today, value=1.0),
        _record(s, video.pk, "purchase", today, value=2.0),
        _record(s, image.pk, "impression", today),
        _record(s, image.pk, "impression", today - DAY),
        _record(s, image.pk, "dwell", today, dwell_ms=2_000),  # exactly 2 s: a view; an image has no watch-through
        _record(s, image.pk, "like", today),
        _record(s, image.pk, "add_to_cart", today - 3 * DAY),
        _record(s, image.pk, "add_to_cart", today),
        _record(s, image.pk, "purchase", today),
        *[_record(s, other.pk, "impression", today) for _ in range(5)],  # someone else's post
    ]
    writer.interactions_write(events)

    stats = creator_stats(creator=creator, days=7, now=NOW)

    by_id = {item.id: item for item in stats.items}
    assert [item.id for item in stats.items] == [rejected.pk, image.pk, video.pk]
    assert by_id[video.pk].figures == Figures(
        impressions=4,
        views=5,
        timed_views=4,
        watched_through=3,
        likes=2,
        shares=1,
        product_clicks=2,
        carts=1,
        purchases=1,
    )
    assert by_id[video.pk].figures.watch_through == 0.75
    assert by_id[image.pk].figures == Figures(impressions=2, views=1, likes=1, carts=2, purchases=1)
    assert by_id[image.pk].figures.watch_through is None
    assert by_id[rejected.pk].figures == Figures()
    assert (by_id[rejected.pk].status, by_id[rejected.pk].reason) == ("rejected", "Shows a weapon")
    assert stats.totals == Figures(
        impressions=6,
        views=6,
        timed_views=4,
        watched_through=3,
        likes=3,
        shares=1,
        product_clicks=2,
        carts=3,
        purchases=2,
    )
    assert (stats.since, stats.until) == (date(2026, 3, 4), date(2026, 3, 10))
    series = stats.series
    assert series.dates == [date(2026, 3, 4) + n * DAY for n in range(7)]
    assert series.impressions == [1, 0, 0, 0, 0, 1, 4]
    assert series.views == [0, 0, 0, 0, 1, 0, 5]
    assert series.carts == [0, 0, 0, 1, 0, 0, 2]
    assert series.purchases == [0, 0, 0, 0, 0, 0, 2]


def test_follower_growth_per_day_is_counted_back_from_todays_followers():
    creator = CreatorFactory()
    shoppers = [ShopperFactory() for _ in range(5)]

    def on(moment: datetime, action, shopper) -> None:
        with mock.patch("django.utils.timezone.now", return_value=moment):
            action(shopper=shopper, creator=creator)

    on(NOW - 10 * DAY, services.follow_create, shoppers[0])  # before the period
    on(NOW - 10 * DAY, services.follow_create, shoppers[1])
    on(NOW - 5 * DAY, services.follow_create, shoppers[2])  # 5 March: +2
    on(NOW - 5 * DAY, services.follow_create, shoppers[3])
    on(NOW - 5 * DAY, services.follow_create, shoppers[3])  # following again changes nothing
    on(NOW - 3 * DAY, services.follow_delete, shoppers[0])  # 7 March: -1
    on(NOW - 3 * DAY, services.follow_delete, shoppers[0])  # nor does unfollowing again
    on(NOW - timedelta(hours=2), services.follow_create, shoppers[4])  # today: +1

    series = creator_stats(creator=creator, days=7, now=NOW).series

    assert series.followers_gained == [0, 2, 0, 0, 0, 0, 1]
    assert series.followers_lost == [0, 0, 0, 1, 0, 0, 0]
    assert series.followers == [2, 4, 4, 3, 3, 3, 4]
    assert creator_stats(creator=creator, days=7, now=NOW).followers == 4


def test_stats_take_five_queries_however_many_items_and_events(django_assert_num_queries):
    creator = CreatorFactory()
    items = [ContentItemFactory(creator=creator) for _ in range(12)]
    s = ShopperFactory().pk
    writer.interactions_write(
        [_record(s, item.pk, kind, NOW - DAY) for item in items for kind in ("impression", "like")]
    )

    with django_assert_num_queries(5):
        stats = creator_stats(creator=creator, days=30, now=NOW)

    assert stats.totals == Figures(impressions=12, likes=12)


@pytest.mark.parametrize("days", [0, -1, 366])
def test_a_period_outside_one_day_to_a_year_is_refused(days):
    with pytest.raises(ValueError, match="days must be between 1 and 365"):
        creator_stats(creator=CreatorFactory(), days=days, now=NOW)


def test_events_through_ingestion_and_the_consumer_are_counted(browser, consumer):
    creator = CreatorFactory()
    video = ContentItemFactory(creator=creator, kind=ContentItem.Kind.VIDEO, duration_ms=4_000)
    response = post_events(
        browser,
        [
            make_event(video.pk, "impression"),
            make_event(video.pk, "dwell", dwell_ms=4_100),
            make_event(video.pk, "dwell", dwell_ms=2_500),
            make_event(video.pk, "share"),
        ],
    )
    assert response.json()["accepted"] == 4
    assert creator_stats(creator=creator, days=1).totals == Figures()  # accepted, not consumed yet

    consumer.drain()

    stats = creator_stats(creator=creator, days=1)
    assert stats.totals == Figures(impressions=1, views=2, timed_views=2, watched_through=1, shares=1)
    assert stats.series.impressions == [1]
