import time

import numpy as np
import pytest

from feedsite import realtime
from profiles.events import state
from profiles.events.meta import item_meta, price_band
from tests.factories import ContentItemFactory, ProductFactory, ShopperFactory, TagFactory
from tests.profiles.events.conftest import make_event, post_events, stream_event

pytestmark = pytest.mark.django_db


def _payload(shopper, item, type="like", ts=None, **fields):
    return stream_event(shopper.pk, item.pk, type, ts, **fields)


def test_affinity_grows_with_events_and_halves_every_half_life(settings):
    settings.FEED_AFFINITY_HALF_LIFE_HOURS = 1
    tag = TagFactory()
    shopper, item = ShopperFactory(), ContentItemFactory(tags=[tag])
    t0 = 1_800_000_000.0

    state.apply_events([_payload(shopper, item, "like", ts=t0)], item_meta([item.pk]))

    assert state.shopper_affinities(shopper.pk, now=t0)[f"tag:{tag.pk}"] == pytest.approx(3.0)
    assert state.shopper_affinities(shopper.pk, now=t0 + 3600)[f"tag:{tag.pk}"] == pytest.approx(1.5)
    assert state.shopper_affinities(shopper.pk, now=t0 + 7200)[f"tag:{tag.pk}"] == pytest.approx(0.75)


def test_later_events_add_to_decayed_affinity_and_hides_subtract(settings):
    settings.FEED_AFFINITY_HALF_LIFE_HOURS = 1
    tag = TagFactory()
    shopper, item = ShopperFactory(), ContentItemFactory(tags=[tag])
    t0 = 1_800_000_000.0
    metas = item_meta([item.pk])

    state.apply_events([_payload(shopper, item, "purchase", ts=t0)], metas)
    state.apply_events([_payload(shopper, item, "hide", ts=t0 + 3600)], metas)

    assert state.shopper_affinities(shopper.pk, now=t0 + 3600)[f"tag:{tag.pk}"] == pytest.approx(8 / 2 - 6)


def test_affinity_covers_creator_brand_category_and_price_band():
    product = ProductFactory(price=20)
    item = ContentItemFactory(products=[product])
    category = TagFactory(kind="category")
    item.tags.add(category)
    shopper = ShopperFactory()

    state.apply_events([_payload(shopper, item, "like")], item_meta([item.pk]))

    assert set(state.shopper_affinities(shopper.pk)) == {
        f"creator:{item.creator_id}",
        f"cat:{category.pk}",
        f"price:{price_band(20)}",
    }


def test_item_counters_keep_totals_and_decayed_windows():
    shopper, item = ShopperFactory(), ContentItemFactory()
    t0 = 1_800_000_000.0
    state.apply_events([_payload(shopper, item, "view", ts=t0), _payload(shopper, item, "view", ts=t0)], {})

    counters = state.item_counters([item.pk], now=t0 + 3600)[item.pk]

    assert counters["n:view"] == 2
    assert counters["view:1h"] == pytest.approx(1.0)
    assert counters["view:24h"] == pytest.approx(2 * 2 ** (-1 / 24))


def test_unlike_takes_back_a_like_from_the_total():
    shopper, item = ShopperFactory(), ContentItemFactory()

    state.apply_events([_payload(shopper, item, "like"), _payload(shopper, item, "unlike")], {})

    assert state.item_counters([item.pk])[item.pk]["n:like"] == 0


@pytest.mark.parametrize(("price", "band"), [(None, None), (0, None), (1.5, 0), (9.99, 3), (16, 4), (250, 7)])
def test_price_bands_are_octaves(price, band):
    assert price_band(price) == band


def test_own_event_shows_in_recent_items_before_any_consumer_runs(browser, shopper_of):
    item = ContentItemFactory()

    post_events(browser, [make_event(item.pk, "like")])

    assert [(i, t) for i, t, _ in state.shopper_recent(shopper_of(browser).pk)] == [(item.pk, "like")]


def test_own_event_is_reflected_in_the_very_next_feed_request(browser):
    liked, other = ContentItemFactory(), ContentItemFactory()
    post_events(browser, [make_event(liked.pk, "like")])

    body = browser.get("/api/v1/feed").json()

    assert [card["id"] for card in body["cards"]] == [other.pk]


def test_a_batch_partly_applied_before_applies_only_its_new_events():
    shopper, item = ShopperFactory(), ContentItemFactory()
    first, second = _payload(shopper, item, "like"), _payload(shopper, item, "like")
    state.apply_events([first], {})

    applied = state.apply_events([first, second], {})

    assert applied == 1
    assert state.item_counters([item.pk])[item.pk]["n:like"] == 2


def test_merging_a_batch_equals_applying_its_events_one_by_one():
    shopper, item = ShopperFactory(), ContentItemFactory()
    other_shopper, other_item = ShopperFactory(), ContentItemFactory()
    t0 = 1_800_000_000.0
    events = [_payload(shopper, item, "view", ts=t0 + dt) for dt in (0, 900, 300, 7200)]
    same = [_payload(other_shopper, other_item, "view", ts=t0 + dt) for dt in (0, 900, 300, 7200)]

    state.apply_events(events, {})
    for event in same:
        state.apply_events([event], {})

    merged = state.item_counters([item.pk], now=t0 + 9000)[item.pk]
    one_by_one = state.item_counters([other_item.pk], now=t0 + 9000)[other_item.pk]
    assert merged == pytest.approx(one_by_one)


def test_the_rankers_counters_pack_engagements_and_impressions_of_an_item_and_its_creator():
    shopper, item = ShopperFactory(), ContentItemFactory()
    t0 = 1_800_000_000.0
    kinds = ("impression", "impression", "impression", "like", "view", "skip")
    events = [_payload(shopper, item, kind, ts=t0) for kind in kinds]
    state.apply_events(events, item_meta([item.pk]))

    read = state.ranking_counters([item.pk], [item.creator_id], now=t0 + 3600, totals_of=[item.pk], totals=["n:like"])

    engaged = [2 * 2 ** (-3600 / h) for h in state.WINDOWS.values()]  # the like and the view, not the skip
    shown = [3 * 2 ** (-3600 / h) for h in state.WINDOWS.values()]
    np.testing.assert_allclose(read.items, [engaged + shown], rtol=1e-5)
    np.testing.assert_allclose(read.creators, [engaged + shown], rtol=1e-5)
    assert (read.item_found.tolist(), read.creator_found.tolist()) == ([True], [True])
    assert read.totals == {item.pk: {"n:like": 1.0}}


def test_the_rankers_counters_of_unknown_keys_or_packed_otherwise_are_not_found():
    shopper, item, other = ShopperFactory(), ContentItemFactory(), ContentItemFactory()
    state.apply_events([_payload(shopper, item, "like")], item_meta([item.pk]))
    realtime.client().set(state.ranking_key(state.item_key(other.pk)), "1 2 3 1700000000.0")  # before an upgrade

    read = state.ranking_counters([other.pk, 999_999_999, item.pk], [], now=time.time())

    assert read.item_found.tolist() == [False, False, True]
    assert read.items[:2].tolist() == [[0.0] * len(state.RANKING_COLUMNS)] * 2


def test_the_rankers_counters_of_more_items_than_one_read_takes_keep_their_order():
    shopper, item, creator_item = ShopperFactory(), ContentItemFactory(), ContentItemFactory()
    now = time.time()
    state.apply_events(
        [_payload(shopper, item, "like", ts=now), _payload(shopper, creator_item, "impression", ts=now)],
        item_meta([item.pk, creator_item.pk]),
    )
    unknown = list(range(900_000_000, 900_002_500))  # many more keys than a page asks

    read = state.ranking_counters([*unknown, item.pk], [*unknown[:3], creator_item.creator_id], now=now)
    alone = state.ranking_counters([item.pk], [creator_item.creator_id], now=now)

    assert read.item_found.nonzero()[0].tolist() == [len(unknown)]
    assert read.creator_found.tolist() == [False, False, False, True]
    np.testing.assert_array_equal(read.items[-1], alone.items[0])
    np.testing.assert_array_equal(read.creators[-1], alone.creators[0])
    assert read.items[-1].sum() > 0


def test_the_packed_ranking_counters_equal_the_sums_of_the_counter_hashes():
    """The packed string is a fast path: each column is the sum of its kind's types' decayed fields."""
    shopper, item, other = ShopperFactory(), ContentItemFactory(), ContentItemFactory()
    t0 = 1_800_000_000.0
    kinds = ["impression", "view", "like", "skip", "purchase", "rate", "hide", "dwell", "unlike", "share"]
    events = [
        _payload(shopper, target, kind, ts=t0 + 600 * n) for n, kind in enumerate(kinds) for target in (item, other)
    ]
    state.apply_events(events[::2], item_meta([item.pk, other.pk]))
    state.apply_events(events[1::2], item_meta([item.pk, other.pk]))
    now = t0 + 86400

    packed = state.ranking_counters([item.pk, other.pk], [item.creator_id, other.creator_id], now=now)
    hashes = state.item_counters([item.pk, other.pk], now=now)
    creators = [
        state.counters_decode(realtime.client().hgetall(state.creator_key(pk)), now=now)
        for pk in (item.creator_id, other.creator_id)
    ]

    def plain(counters):
        return [
            sum(
                value
                for field, value in counters.items()
                if field.endswith(f":{window}") and state.RANKING_KIND_OF.get(field.partition(":")[0]) == kind
            )
            for kind, _, window in (column.partition(":") for column in state.RANKING_COLUMNS)
        ]

    np.testing.assert_allclose(packed.items, [plain(hashes[item.pk]), plain(hashes[other.pk])], rtol=1e-6)
    np.testing.assert_allclose(packed.creators, [plain(counters) for counters in creators], rtol=1e-6)
    assert packed.items.min() > 0
