"""Context, creator, price, stock and counter features, on small worlds built by hand (no database)."""

from datetime import UTC, datetime

import numpy as np
import pytest

from profiles.events import state
from profiles.events.types import COUNTED_TYPES
from ranking.candidates.generators import score_all
from ranking.features import RANKED, SCORED, Context, best_generator, feature_names, featurize
from ranking.history import COUNTER_KIND, DEVICE_CODE, EVENT_GRADE, NOT_COUNTED, History, ItemFacts
from ranking.replay import cut
from ranking.world import World, WorldConfig

EVENING = datetime(2026, 3, 2, 20, tzinfo=UTC).timestamp()  # a Monday, 20:00 UTC
MORNING = EVENING - 12 * 3600
MINUTE = 60.0
DAY = 86400.0
DESKTOP, MOBILE = DEVICE_CODE["desktop"], DEVICE_CODE["mobile"]
SHOWN, ENGAGED = COUNTER_KIND["impression"], COUNTER_KIND["like"]


def history(events, *, n_items=4, facts=None, kinds=None):
    """``events``: (shopper, item, time, grade, device) over dense indexes; ``kinds``: what the
    counters count each as (``COUNTER_KIND``), default nothing."""
    u, i, t, g, d = (np.array(column) for column in zip(*events, strict=True))
    n_shoppers = int(u.max()) + 1
    return History(
        u=u.astype(np.int32),
        i=i.astype(np.int32),
        t=t.astype(np.float64),
        r=np.full(len(u), np.nan, np.float32),
        g=g.astype(np.int8),
        k=np.full(len(u), NOT_COUNTED, np.int8) if kinds is None else np.asarray(kinds, np.int8),
        d=d.astype(np.int8),
        shoppers=np.arange(n_shoppers) + 100,
        items=np.arange(n_items) + 1000,
        item_cat=np.zeros(n_items, np.int32),
        n_cat=1,
        facts=facts or ItemFacts.empty(n_items),
        shopper_index={100 + n: n for n in range(n_shoppers)},
        item_index={1000 + n: n for n in range(n_items)},
    )


def features(world, events, items, context):
    """Feature name → values of ``items`` for one shopper with ``events`` (item, time, grade)."""
    shopper = (
        np.array([e[0] for e in events], np.int64),
        np.array([e[1] for e in events], np.float64),
        np.full(len(events), np.nan, np.float32),
        np.array([e[2] for e in events], np.int8),
    )
    block = world.block([shopper])
    rows = np.zeros(len(items), np.int64)
    matrix = featurize(world, block, score_all(world, block), rows, np.asarray(items), context=context)
    return {name: matrix[:, n] for n, name in enumerate(feature_names(world))}


def test_an_item_engaged_with_in_the_evening_is_lifted_for_evening_requests_only():
    # item 0: liked by six shoppers in the evening; item 1: by six in the morning
    events = [(s, 0, EVENING - s * MINUTE, 2, 0) for s in range(6)]
    events += [(s, 1, MORNING - s * MINUTE, 2, 0) for s in range(6)]
    world = World.fit(history(events))

    evening = features(world, [], [0, 1], Context.at(EVENING + 7 * 86400))
    morning = features(world, [], [0, 1], Context.at(MORNING + 7 * 86400))

    assert evening["i_daypart_lift"][0] > 1 > evening["i_daypart_lift"][1]
    assert morning["i_daypart_lift"][1] > 1 > morning["i_daypart_lift"][0]
    assert (evening["ctx_hour"][0], morning["ctx_hour"][0], evening["ctx_weekday"][0]) == (20, 8, 0)


def test_an_item_engaged_with_on_phones_is_lifted_for_phone_requests():
    events = [(s, 0, EVENING - s * MINUTE, 2, MOBILE) for s in range(6)]
    events += [(s, 1, EVENING - s * MINUTE, 2, DESKTOP) for s in range(6)]
    world = World.fit(history(events))

    phone = features(world, [], [0, 1], Context.at(EVENING, MOBILE))

    assert phone["i_device_lift"][0] > 1 > phone["i_device_lift"][1]
    assert phone["ctx_device"][0] == MOBILE


def test_creator_popularity_and_followers_count_only_what_happened_before_the_worlds_clock():
    facts = ItemFacts.empty(4)
    facts.item_creator[:] = [1, 1, 2, 0]
    facts.creator_reputation = np.array([0.5, 0.9, 0.1], np.float32)
    facts.follow_creator = np.array([1, 1, 2], np.int32)
    facts.follow_t = np.array([EVENING - 3600, EVENING - 7200, EVENING + 86400])  # the last one is later
    events = [(0, 0, EVENING - 60, 2, 0), (1, 1, EVENING - 120, 2, 0), (2, 2, EVENING, 2, 0)]
    world = World.fit(history(events, facts=facts))

    got = features(world, [], [0, 2, 3], Context.at(EVENING))

    np.testing.assert_allclose(got["c_log_pop"], np.log1p([2, 1, 0]), rtol=1e-6)
    np.testing.assert_allclose(got["c_log_followers"], np.log1p([2, 0, 0]), rtol=1e-6)
    np.testing.assert_allclose(got["c_reputation"], [0.9, 0.1, 0.5], rtol=1e-6)


def test_price_is_relative_to_what_the_shopper_usually_likes_and_missing_without_a_product():
    facts = ItemFacts.empty(4)
    facts.item_log_price[:] = np.log1p([10.0, 100.0, np.nan, 20.0])
    facts.item_log_stock[:] = np.log1p([5.0, 0.0, np.nan, 1.0])
    world = World.fit(history([(0, 0, EVENING, 2, 0), (1, 3, EVENING, 2, 0)], facts=facts))

    got = features(world, [(0, EVENING - 60, 2), (3, EVENING - 30, 2)], [1, 2], Context.at(EVENING))

    usual = np.mean(np.log1p([10.0, 20.0]))
    assert got["u_price_rel"][0] == pytest.approx(np.log1p(100.0) - usual, rel=1e-5)
    assert np.isnan(got["u_price_rel"][1])
    assert np.isnan(got["i_log_price"][1])
    assert got["i_log_stock"][0] == 0.0


def test_session_depth_counts_the_latest_session_while_the_shopper_is_still_in_it():
    world = World.fit(history([(0, 0, EVENING, 2, 0), (1, 1, EVENING, 2, 0)]))
    # an old visit, then three events 10 minutes apart
    events = [(0, EVENING - 3 * 3600, 1), (0, EVENING - 20 * MINUTE, 1), (1, EVENING - 10 * MINUTE, 1), (0, EVENING, 2)]

    now = features(world, events, [1], Context.at(EVENING + 5 * MINUTE))
    later = features(world, events, [1], Context.at(EVENING + 2 * 3600))

    assert (now["u_session_depth"][0], later["u_session_depth"][0]) == (3, 0)


def test_a_replay_cut_remembers_when_and_on_what_device_each_shopper_came_back():
    events = [
        (0, 0, EVENING - 3600, 2, 0),
        (0, 1, EVENING - 1800, 2, 0),
        (0, 2, EVENING + 60, 2, MOBILE),  # held back with the next: the last 40 % of five events
        (0, 3, EVENING + 120, 1, DESKTOP),
        (0, 1, EVENING - 900, 1, 0),
    ]

    held = cut(history(events), "user", 0.4)

    assert held.returns == {0: (EVENING + 60, MOBILE)}
    assert held.after == {0: {2: 2, 3: 1}}


def test_a_candidates_source_is_the_generator_that_ranked_it_best_among_those_that_scored_it():
    names = [f"s_{g}" for g in SCORED] + [f"r_{g}" for g in RANKED]
    rows = np.zeros((3, len(names)), np.float32)
    for row, scored in enumerate([{"ease": 2, "cosine": 0}, {"popular": 5, "cosine": 1}, {}]):
        for generator, rank in scored.items():
            rows[row, names.index(f"s_{generator}")] = 0.5
            rows[row, names.index(f"r_{generator}")] = rank
    rows[0, names.index("s_cosine")] = 0.0  # ranked first, but it gave no score: not its source

    assert best_generator(rows) == ["ease", "cosine", ""]


def test_the_counters_count_as_engagement_the_counted_types_that_show_interest():
    engaged = {t for t, kind in state.RANKING_KIND_OF.items() if kind == "engaged"}
    shown = {t for t, kind in state.RANKING_KIND_OF.items() if kind == "shown"}

    assert engaged == {t for t in COUNTED_TYPES if EVENT_GRADE[t] > 0}
    assert shown == {"impression"}
    assert EVENT_GRADE["impression"] == 0
    assert {t for t, kind in COUNTER_KIND.items() if kind == state.RANKING_KINDS.index("engaged")} == engaged


def test_an_item_engaged_with_in_the_last_hour_outscores_one_engaged_with_as_much_days_ago():
    # both shown to thirty shoppers alike over the week; liked by ten: item 0 in the last hour, item 1
    # three days ago
    shown = [(s, item, EVENING - s * 5 * 3600, 0, 0) for s in range(30) for item in (0, 1)]
    liked = [(s, 0, EVENING - s * MINUTE, 2, 0) for s in range(10)]
    liked += [(s, 1, EVENING - 3 * DAY - s * MINUTE, 2, 0) for s in range(10)]
    world = World.fit(history(shown + liked, kinds=[SHOWN] * len(shown) + [ENGAGED] * len(liked)))

    got = features(world, [], [0, 1], Context.at(EVENING))

    assert got["ipop_0"][0] == got["ipop_0"][1]  # all time they are alike, and shown alike
    assert got["i_imp_24h"][0] == got["i_imp_24h"][1]
    for name in ("i_eng_1h", "i_eng_24h", "i_eng_7d", "i_rate_24h", "i_rate_7d"):
        assert got[name][0] > got[name][1], name
    assert got["i_eng_1h"][0] == pytest.approx(np.log1p(sum(2 ** (-s / 60) for s in range(10))), rel=1e-5)
    assert got["i_eng_1h"][1] == pytest.approx(np.log1p(sum(2 ** (-72 - s / 60) for s in range(10))), abs=1e-6)


def test_engagement_rates_are_pulled_towards_everyones_by_twenty_impressions_and_creators_add_up_their_items():
    facts = ItemFacts.empty(4)
    facts.item_creator[:] = [1, 1, 0, 0]
    facts.creator_reputation = np.full(2, 0.5, np.float32)
    # item 0: shown 40 times, engaged with 10 times; item 1 (same creator): engaged with 5 times; all now
    events = [(s, 0, EVENING, 0, 0) for s in range(40)] + [(s, 0, EVENING, 2, 0) for s in range(10)]
    events += [(s, 1, EVENING, 2, 0) for s in range(5)]
    kinds = [SHOWN] * 40 + [ENGAGED] * 15
    world = World.fit(history(events, facts=facts, kinds=kinds))

    got = features(world, [], [0, 1, 2], Context.at(EVENING))

    everyone = 15 / 40
    np.testing.assert_allclose(got["i_rate_7d"], [(10 + 20 * everyone) / 60, (5 + 20 * everyone) / 20, everyone])
    np.testing.assert_allclose(got["c_eng_7d"], np.log1p([15, 15, 0]), rtol=1e-6)
    np.testing.assert_allclose(got["c_rate_7d"], [(15 + 20 * everyone) / 60] * 2 + [everyone], rtol=1e-6)
    np.testing.assert_allclose(got["i_imp_24h"], np.log1p([40, 0, 0]), rtol=1e-6)


def test_counters_asked_later_than_the_worlds_clock_are_its_own_decayed_as_if_nothing_happened_since():
    world = World.fit(history([(s, 0, EVENING, 2, 0) for s in range(4)], kinds=[ENGAGED] * 4))

    an_hour_later = features(world, [], [0], Context.at(EVENING + 3600))
    before = features(world, [], [0], Context.at(EVENING - 3600))

    assert an_hour_later["i_eng_1h"][0] == pytest.approx(np.log1p(4 * 0.5), rel=1e-6)
    assert an_hour_later["i_eng_24h"][0] == pytest.approx(np.log1p(4 * 2 ** (-1 / 24)), rel=1e-6)
    assert before["i_eng_1h"][0] == pytest.approx(np.log1p(4), rel=1e-6)  # never grown back


def test_item_to_item_statistics_take_only_each_shoppers_most_recent_items():
    # Shopper 0 engaged with items 0 and 1 long ago, then with 2 and 3 (and 3 again, long ago);
    # shopper 1 engaged with 0 and 1. With room for two items each, shopper 0 only tells that 2 and
    # 3 go together, and items 0 and 1 are together for one shopper instead of two.
    events = [(0, 0, EVENING - 9 * DAY, 2, 0), (0, 1, EVENING - 8 * DAY, 2, 0), (0, 3, EVENING - 20 * DAY, 2, 0)]
    events += [(0, 2, EVENING - DAY, 2, 0), (0, 3, EVENING, 2, 0), (1, 0, EVENING, 2, 0), (1, 1, EVENING, 2, 0)]
    events += [(1, 2, EVENING - 5 * DAY, 2, 0), (1, 3, EVENING - 5 * DAY, 2, 0)]

    def pairs(world: World) -> dict[tuple[int, int], float]:
        cosine = world.cosine.tocoo()
        at = world.universe
        return {
            (int(at[r]), int(at[c])): round(float(v), 3)
            for r, c, v in zip(cosine.row, cosine.col, cosine.data, strict=True)
        }

    everything = pairs(World.fit(history(events)))
    recent = pairs(World.fit(history(events), WorldConfig(max_user_items=2, min_item_users=1)))

    assert everything[(0, 1)] == everything[(2, 3)] == 1.0
    assert everything[(0, 2)] == 1.0  # shopper 0's old and new items, and shopper 1's
    assert recent == {(0, 1): 1.0, (1, 0): 1.0, (2, 3): 1.0, (3, 2): 1.0}


def test_every_feature_has_its_column_and_the_segment_is_each_rows_shoppers():
    world = World.fit(history([(0, 0, EVENING, 2, 0), (1, 1, EVENING, 2, 0), (1, 2, EVENING, 2, 0)]))
    none = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.float32), np.zeros(0, np.int8))
    block = world.block([none, none])
    rows, items = np.array([0, 0, 1]), np.array([1, 2, 3])
    scores = score_all(world, block)
    asked = Context(when=np.full(2, EVENING), device=np.zeros(2, np.int64), segment=np.array([3, 8]))

    given = featurize(world, block, scores, rows, items, context=asked)
    unknown = featurize(world, block, scores, rows, items, context=Context.at(EVENING, shoppers=2))
    untold = featurize(
        world, block, scores, rows, items, context=Context(when=np.full(2, EVENING), device=np.zeros(2, np.int64))
    )

    names = feature_names(world)
    assert given.shape == (3, len(names))
    assert len(set(names)) == len(names)
    assert names[-1] == "u_segment"
    assert given[:, -1].tolist() == [3, 3, 8]
    assert unknown[:, -1].tolist() == untold[:, -1].tolist() == [0, 0, 0]
    np.testing.assert_array_equal(given[:, :-1], unknown[:, :-1])  # the segment changes nothing else
