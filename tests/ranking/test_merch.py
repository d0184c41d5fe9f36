import pytest

from ranking.merch import Trigger, categories_of, category_key, trigger_boosts
from tests.factories import ProductFactory

NOW = 1_800_000_000.0
HOUR = 3600.0
CATEGORIES = {
    1: "Electronics > Cameras > Mirrorless",
    2: "Electronics > Cameras > Lenses",
    3: "Electronics > Cameras > Mirrorless",
    4: "Electronics > Audio > Headphones",
    5: "Beauty > Skin > Serum",
    6: "",
}
# Candidate item → the products its card shows (item n shows product n).
CARDS = {n: (n,) for n in CATEGORIES}


def viewed(product, times, *, hours_ago=1.0):
    return [(product, NOW - hours_ago * HOUR)] * times


def boosts(*triggers, views):
    return trigger_boosts(triggers, views=views, products=CARDS, categories=CATEGORIES, now=NOW)


@pytest.mark.parametrize(
    ("depth", "boosted"),
    [
        (0, {3}),  # the same leaf category: another mirrorless camera
        (2, {2, 3}),  # under "Electronics > Cameras": the lens too
        (1, {2, 3, 4}),  # anything in electronics
    ],
)
def test_related_products_share_the_first_levels_of_the_viewed_products_category(depth, boosted):
    trigger = Trigger("cross-sell", min_views=2, within_hours=24, boost=2.0, related_depth=depth)

    assert boosts(trigger, views=viewed(1, 2)) == {item: (2.0, "cross-sell") for item in boosted}


@pytest.mark.parametrize(
    "views",
    [
        viewed(1, 1),  # once is not "N times"
        viewed(1, 2, hours_ago=25),  # not within the hours
        viewed(6, 5),  # a product without a category relates to nothing
        viewed(99, 5),  # unknown product
        [],
    ],
)
def test_a_trigger_does_not_fire_without_enough_recent_views_of_a_categorized_product(views):
    trigger = Trigger("cross-sell", min_views=2, within_hours=24, boost=2.0, related_depth=1)

    assert boosts(trigger, views=views) == {}


def test_a_scoped_trigger_fires_only_for_products_under_its_category():
    cameras = Trigger("cameras", min_views=1, within_hours=24, boost=2.0, scope=category_key("electronics>cameras"))

    assert boosts(cameras, views=viewed(5, 3)) == {}
    assert boosts(cameras, views=viewed(1, 1)) == {3: (2.0, "cameras")}


def test_the_strongest_of_several_fired_triggers_applies_alone():
    mild = Trigger("mild", min_views=1, within_hours=24, boost=1.5, related_depth=1)
    strong = Trigger("strong", min_views=1, within_hours=24, boost=3.0, related_depth=2)

    assert boosts(mild, strong, views=viewed(1, 1)) == {2: (3.0, "strong"), 3: (3.0, "strong"), 4: (1.5, "mild")}


def test_a_card_showing_a_related_product_is_boosted_even_beside_unrelated_ones():
    trigger = Trigger("cross-sell", min_views=1, within_hours=24, boost=2.0, related_depth=2)

    found = trigger_boosts(
        (trigger,), views=viewed(1, 1), products={7: (5, 2), 8: (1,)}, categories=CATEGORIES, now=NOW
    )

    # card 8 shows only the viewed camera itself: a trigger cross-sells, it does not repeat
    assert found == {7: (2.0, "cross-sell")}


def test_category_key_compares_levels_case_insensitively():
    assert category_key(" Beauty >skin> ") == category_key("beauty > Skin") == ("beauty", "skin")


@pytest.mark.django_db
def test_categories_of_reads_once_then_serves_from_the_cache(django_assert_num_queries):
    lens = ProductFactory(category_path="Electronics > Cameras > Lenses")
    bare = ProductFactory(category_path="")

    with django_assert_num_queries(1):
        first = categories_of([lens.pk, bare.pk, 987_654_321])
    with django_assert_num_queries(0):
        again = categories_of([lens.pk, 987_654_321])

    assert first == {lens.pk: "Electronics > Cameras > Lenses", bare.pk: "", 987_654_321: ""}
    assert again == {lens.pk: "Electronics > Cameras > Lenses", 987_654_321: ""}
