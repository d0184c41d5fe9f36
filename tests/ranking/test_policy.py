import dataclasses
import time
from collections import Counter

import numpy as np
import pytest

from ranking import pacing
from ranking.merch import Trigger
from ranking.models import MerchTrigger, MixPolicy, MixRule
from ranking.policy import (
    Candidate,
    Context,
    Policy,
    Rule,
    arrange,
    arrange_context,
    clear_cache,
    policy_for,
)
from tests.factories import ProductFactory


def cand(item, score, *, kind="video", source="collaborative", creator=None, content_source="ugc", tags=(), **more):
    return Candidate(
        item=item,
        source=source,
        score=score,
        kind=kind,
        creator=item if creator is None else creator,
        content_source=content_source,
        tags=frozenset(tags),
        **more,
    )


OPEN = Policy(max_same_creator_in_row=0, max_same_kind_in_row=0, min_creator_spacing=0, exploration_share=0)


def open_policy(**changes) -> Policy:
    """``OPEN`` (no spacing, streaks or exploration) with ``changes``: each test states only what it is about."""
    return dataclasses.replace(OPEN, **changes)


def items(slots):
    return [s.candidate.item for s in slots]


def test_without_rules_the_page_follows_the_ranker():
    ranked = [cand(i, score=10 - i) for i in range(10)]

    slots = arrange(list(reversed(ranked)), OPEN, size=5)

    assert items(slots) == [0, 1, 2, 3, 4]
    assert {s.rule for s in slots} == {"ranked"}


def test_minimum_quota_puts_a_low_ranked_brand_post_in_every_window():
    ranked = [cand(i, 100 - i) for i in range(20)] + [cand(100 + i, -i, kind="brand_post") for i in range(4)]
    policy = open_policy(window=5, rules=(Rule("min", "kind", "brand_post", 1),))

    slots = arrange(ranked, policy, size=10)

    for start in (0, 5):
        window = slots[start : start + 5]
        assert sum(s.candidate.kind == "brand_post" for s in window) == 1
    assert [s.rule for s in slots if s.candidate.kind == "brand_post"] == ["min:kind=brand_post"] * 2
    # the quota is met as late as possible, the ranker's best first
    assert items(slots)[:4] == [0, 1, 2, 3]


def test_maximum_quota_caps_promoted_cards_per_window():
    ranked = [cand(i, 100 - i, content_source="promoted") for i in range(6)] + [cand(50 + i, 10 - i) for i in range(10)]
    policy = open_policy(window=5, rules=(Rule("max", "source", "promoted", 1),))

    slots = arrange(ranked, policy, size=10)

    for start in (0, 5):
        assert sum(s.candidate.content_source == "promoted" for s in slots[start : start + 5]) == 1


def test_creator_spacing_and_kind_streaks_are_respected():
    ranked = [cand(i, 100 - i, creator=7, kind="video") for i in range(5)] + [
        cand(10 + i, 50 - i, creator=10 + i, kind="image" if i % 2 else "video") for i in range(10)
    ]
    policy = Policy(max_same_creator_in_row=1, max_same_kind_in_row=2, min_creator_spacing=3, exploration_share=0)

    slots = arrange(ranked, policy, size=12)

    creators = [s.candidate.creator for s in slots]
    for i, creator in enumerate(creators):
        assert creator not in creators[max(0, i - 3) : i]
    kinds = [s.candidate.kind for s in slots]
    assert not any(kinds[i] == kinds[i + 1] == kinds[i + 2] for i in range(len(kinds) - 2))


def test_spacing_carries_over_from_the_previous_page():
    previous = [cand(1, 0, creator=5)]
    ranked = [cand(2, 10, creator=5), cand(3, 5, creator=6)]
    policy = Policy(min_creator_spacing=2, exploration_share=0)

    slots = arrange(ranked, policy, size=2, history=previous)

    assert items(slots) == [3, 2]


def test_exploration_share_reserves_evenly_spaced_slots():
    ranked = [cand(i, 100 - i) for i in range(20)] + [cand(200 + i, -50 - i, source="fresh") for i in range(5)]
    policy = open_policy(exploration_share=0.2)

    slots = arrange(ranked, policy, size=10, context=Context(rng=np.random.default_rng(1)))

    assert [i for i, s in enumerate(slots) if s.rule == "explore"] == [4, 9]
    assert {slots[4].candidate.item, slots[9].candidate.item} <= {200, 201, 202, 203, 204}
    assert items(slots)[:4] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("action", "amount", "tagged", "expected_first"), [("boost", 100.0, 9, 9), ("bury", 0.001, 0, 1)]
)
def test_boost_and_bury_move_matching_cards(action, amount, tagged, expected_first):
    ranked = [cand(i, 10 - i * 0.1, tags={"summer"} if i == tagged else ()) for i in range(10)]
    policy = open_policy(rules=(Rule(action, "tag", "summer", amount),))

    slots = arrange(ranked, policy, size=3)

    assert items(slots)[0] == expected_first


def test_pin_places_an_item_on_the_first_page_only():
    ranked = [cand(i, 10 - i) for i in range(8)]
    policy = open_policy(rules=(Rule("pin", "item", "6", 1),))

    first = arrange(ranked, policy, size=4)
    later = arrange(ranked, policy, size=4, first_page=False)

    assert items(first) == [0, 6, 1, 2]
    assert first[1].rule == "pin:item=6"
    assert items(later) == [0, 1, 2, 3]


def test_an_impossible_constraint_is_relaxed_rather_than_leaving_a_hole():
    ranked = [cand(i, 10 - i, creator=1) for i in range(3)]
    policy = Policy(min_creator_spacing=3, exploration_share=0)

    slots = arrange(ranked, policy, size=3)

    assert items(slots) == [0, 1, 2]
    assert [s.rule for s in slots] == ["ranked", "relaxed", "relaxed"]


@pytest.mark.django_db
def test_policy_for_reads_the_default_a_named_override_and_falls_back_to_built_in():
    assert policy_for().name == "built-in"
    default = MixPolicy.objects.create(name="house", is_default=True, window=4, exploration_share=0.25)
    MixRule.objects.create(policy=default, action="min", match="kind", value="brand_post", amount=1)
    MixRule.objects.create(policy=default, action="max", match="source", value="promoted", amount=1, active=False)
    MixPolicy.objects.create(name="variant-b", window=6)
    clear_cache()

    house = policy_for()
    variant = policy_for("variant-b")

    assert (house.name, house.window, house.exploration_share) == ("house", 4, 0.25)
    assert house.rules == (Rule("min", "kind", "brand_post", 1.0),)
    assert (variant.name, variant.window, variant.rules) == ("variant-b", 6, ())
    assert policy_for("no-such-variant").name == "house"


@pytest.mark.django_db
def test_policy_for_compiles_merchandising_triggers_and_the_promoted_budget():
    row = MixPolicy.objects.create(name="house", is_default=True, promoted_daily_impressions=500)
    MerchTrigger.objects.create(
        policy=row, name="lenses", min_views=3, within_hours=12, boost=1.5, category="Electronics > Cameras"
    )
    MerchTrigger.objects.create(policy=row, name="off", active=False)

    house = policy_for()

    assert house.promoted_daily_impressions == 500
    assert house.triggers == (Trigger("lenses", 3, 12, 1.5, scope=("electronics", "cameras"), related_depth=0),)


# Merchandising triggers.

CAMERA_TRIGGER = Trigger("camera-accessories", min_views=2, within_hours=24, boost=100.0, related_depth=2)
CATEGORIES = {1: "Electronics > Cameras > Mirrorless", 2: "Electronics > Cameras > Lenses", 3: "Home > Lamps"}


@pytest.mark.parametrize(
    ("view_ages", "expected_items", "expected_rules"),
    [
        ([60, 3600], [10, 20, 11], ["ranked", "trigger:camera-accessories", "ranked"]),
        ([60], [10, 11, 12], ["ranked"] * 3),  # one view is not enough
        ([60, 25 * 3600], [10, 11, 12], ["ranked"] * 3),  # the second is too old
    ],
)
def test_a_merchandising_trigger_lifts_cards_showing_related_products(view_ages, expected_items, expected_rules):
    ranked = [cand(10 + i, 10 - i) for i in range(5)]
    ranked += [cand(20, 5, products=(2,)), cand(21, 5.5, products=(3,))]
    now = 1_800_000_000.0
    context = Context(
        recent_product_views=[(1, now - age) for age in view_ages], product_categories=CATEGORIES, now=now
    )

    slots = arrange(ranked, open_policy(triggers=(CAMERA_TRIGGER,)), size=3, context=context)

    # ×100 adds ln 100 ≈ 4.6 to the lens card's 5: past 11's 9, short of 10's 10
    assert items(slots) == expected_items
    assert [s.rule for s in slots] == expected_rules


@pytest.mark.django_db
def test_arrange_context_looks_up_the_categories_a_trigger_needs(django_assert_num_queries):
    camera = ProductFactory(category_path="Electronics > Cameras > Mirrorless")
    lens = ProductFactory(category_path="Electronics > Cameras > Lenses")
    policy = open_policy(triggers=(CAMERA_TRIGGER,))
    ranked = [cand(1, 10), cand(2, 9), cand(3, 6, products=(lens.pk,))]
    views = [(camera.pk, time.time() - 60)] * 2

    with django_assert_num_queries(1):
        context = arrange_context(policy, ranked, recent_product_views=views)
    with django_assert_num_queries(0):
        arrange_context(policy, ranked, recent_product_views=views)

    assert dict(context.product_categories) == {camera.pk: camera.category_path, lens.pk: lens.category_path}
    # the lens card: 6 + ln 100 ≈ 10.6, past the ranker's best
    assert items(arrange(ranked, policy, size=2, context=context)) == [3, 1]


# Promoted pacing (the real-time store from REDIS_URL).


def test_a_promoted_item_that_spent_its_daily_budget_is_not_served():
    policy = open_policy(promoted_daily_impressions=2, rules=(Rule("pin", "item", "1", 0),))
    ranked = [cand(1, 10, content_source="promoted"), cand(2, 9, content_source="promoted"), cand(3, 8)]
    for served in ([1, 2], [1]):
        pacing.spend(served)

    slots = arrange(ranked, policy, size=3, context=arrange_context(policy, ranked))

    assert items(slots) == [2, 3]


@pytest.mark.usefixtures("realtime_down")
def test_with_the_store_down_pacing_fails_open_and_quota_rules_still_cap_promoted_cards():
    policy = open_policy(window=5, promoted_daily_impressions=1, rules=(Rule("max", "source", "promoted", 1),))
    ranked = [cand(i, 10 - i, content_source="promoted") for i in range(3)] + [cand(10 + i, 5 - i) for i in range(5)]
    pacing.spend([0, 1, 2])  # not counted: the store is down

    slots = arrange(ranked, policy, size=5, context=arrange_context(policy, ranked))

    assert items(slots) == [0, 10, 11, 12, 13]


# Exploration by Thompson sampling.


def test_exploration_slots_favour_the_fresh_item_with_the_stronger_early_rate_over_the_ranker_score():
    strong = cand(200, -5, source="fresh", impressions=20, engagements=6)
    weak = cand(201, 0, source="fresh", impressions=20, engagements=1)
    ranked = [*(cand(i, 10 - i) for i in range(10)), strong, weak]
    policy = open_policy(exploration_share=0.2)

    picks = Counter(
        arrange(ranked, policy, size=5, context=Context(rng=np.random.default_rng(seed)))[4].candidate.item
        for seed in range(400)
    )

    assert picks[200] > 0.8 * 400
    assert picks[201] > 0  # a poor early rate is not written off: its posterior is still wide
