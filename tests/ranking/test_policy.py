import pytest

from ranking.models import MixPolicy, MixRule
from ranking.policy import Candidate, Policy, Rule, arrange, clear_cache, policy_for


def cand(item, score, *, kind="video", source="collaborative", creator=None, content_source="ugc", tags=()):
    return Candidate(
        item=item,
        source=source,
        score=score,
        kind=kind,
        creator=item if creator is None else creator,
        content_source=content_source,
        tags=frozenset(tags),
    )


OPEN = Policy(max_same_creator_in_row=0, max_same_kind_in_row=0, min_creator_spacing=0, exploration_share=0)


def items(slots):
    return [s.candidate.item for s in slots]


def test_without_rules_the_page_follows_the_ranker():
    ranked = [cand(i, score=10 - i) for i in range(10)]

    slots = arrange(list(reversed(ranked)), OPEN, size=5)

    assert items(slots) == [0, 1, 2, 3, 4]
    assert {s.rule for s in slots} == {"ranked"}


def test_minimum_quota_puts_a_low_ranked_brand_post_in_every_window():
    ranked = [cand(i, 100 - i) for i in range(20)] + [cand(100 + i, -i, kind="brand_post") for i in range(4)]
    policy = Policy(
        window=5,
        max_same_creator_in_row=0,
        max_same_kind_in_row=0,
        min_creator_spacing=0,
        exploration_share=0,
        rules=(Rule("min", "kind", "brand_post", 1),),
    )

    slots = arrange(ranked, policy, size=10)

    for start in (0, 5):
        window = slots[start : start + 5]
        assert sum(s.candidate.kind == "brand_post" for s in window) == 1
    assert [s.rule for s in slots if s.candidate.kind == "brand_post"] == ["min:kind=brand_post"] * 2
    # the quota is met as late as possible, the ranker's best first
    assert items(slots)[:4] == [0, 1, 2, 3]


def test_maximum_quota_caps_promoted_cards_per_window():
    ranked = [cand(i, 100 - i, content_source="promoted") for i in range(6)] + [cand(50 + i, 10 - i) for i in range(10)]
    policy = Policy(
        window=5,
        max_same_creator_in_row=0,
        max_same_kind_in_row=0,
        min_creator_spacing=0,
        exploration_share=0,
        rules=(Rule("max", "source", "promoted", 1),),
    )

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
    policy = Policy(max_same_creator_in_row=0, max_same_kind_in_row=0, min_creator_spacing=0, exploration_share=0.2)

    slots = arrange(ranked, policy, size=10)

    assert [i for i, s in enumerate(slots) if s.rule == "explore"] == [4, 9]
    assert [slots[4].candidate.item, slots[9].candidate.item] == [200, 201]


@pytest.mark.parametrize(
    ("action", "amount", "tagged", "expected_first"), [("boost", 100.0, 9, 9), ("bury", 0.001, 0, 1)]
)
def test_boost_and_bury_move_matching_cards(action, amount, tagged, expected_first):
    ranked = [cand(i, 10 - i * 0.1, tags={"summer"} if i == tagged else ()) for i in range(10)]
    policy = Policy(
        max_same_creator_in_row=0,
        max_same_kind_in_row=0,
        min_creator_spacing=0,
        exploration_share=0,
        rules=(Rule(action, "tag", "summer", amount),),
    )

    slots = arrange(ranked, policy, size=3)

    assert items(slots)[0] == expected_first


def test_pin_places_an_item_on_the_first_page_only():
    ranked = [cand(i, 10 - i) for i in range(8)]
    policy = Policy(
        max_same_creator_in_row=0,
        max_same_kind_in_row=0,
        min_creator_spacing=0,
        exploration_share=0,
        rules=(Rule("pin", "item", "6", 1),),
    )

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
    clear_cache()
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
