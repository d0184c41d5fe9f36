import time

import pytest

from profiles.events import state
from profiles.events.meta import item_meta, price_band
from tests.factories import ContentItemFactory, ProductFactory, ShopperFactory, TagFactory
from tests.profiles.events.conftest import make_event, post_events

pytestmark = pytest.mark.django_db


def _payload(shopper, item, type="like", ts=None, **extra):
    return {"e": f"e-{time.time_ns()}", "s": shopper.pk, "i": item.pk, "t": type, "ts": ts or time.time()} | extra


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
