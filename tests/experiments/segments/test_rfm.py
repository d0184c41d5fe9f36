"""RFM scoring and groups, on shoppers whose figures are worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.segments import rfm
from experiments.segments.activity import Activity
from experiments.segments.compute import rfm_compute
from experiments.segments.rfm import GROUPS, group_of, quintile_scores, rfm_score
from tests.experiments.segments.conftest import AS_OF, active_shopper, days_before, order_at
from tests.factories import InteractionFactory, OrderFactory, ShopperFactory

# (name, days since last active, active days, spend) → the scores and group worked out by hand
# below: R against the 10 recencies, F against the 10 active-day counts, M against the 8 buyers.
SHOPPERS = {
    "A": (1, 20, 500.0),
    "B": (2, 15, 300.0),
    "C": (3, 1, 50.0),
    "D": (5, 3, 80.0),
    "E": (40, 12, 200.0),
    "F": (60, 2, 20.0),
    "G": (90, 1, 0.0),
    "H": (4, 6, 40.0),
    "I": (120, 4, 0.0),
    "J": (10, 8, 100.0),
}
# score = 1 + ⌊5 · (shoppers strictly worse) / n⌋, e.g. C's recency 3: 7 of 10 longer ago → 1 + 3 = 4;
# J's spend 100: 4 of 8 buyers spent less → 1 + ⌊20/8⌋ = 3.
EXPECTED = {
    "A": (5, 5, 5, "champions"),
    "B": (5, 5, 4, "champions"),
    "C": (4, 1, 2, "new"),
    "D": (3, 2, 2, "needs-attention"),
    "E": (2, 4, 4, "at-risk"),
    "F": (2, 2, 1, "hibernating"),
    "G": (1, 1, 0, "lapsed-browsers"),
    "H": (4, 3, 1, "promising"),
    "I": (1, 3, 0, "lapsed-browsers"),
    "J": (3, 4, 3, "loyal"),
}


def _activity() -> Activity:
    names = list(SHOPPERS)
    figures = np.array([SHOPPERS[name] for name in names])
    return Activity(
        shopper=np.arange(len(names), dtype=np.int64),
        recency_days=figures[:, 0],
        active_days=figures[:, 1].astype(np.int64),
        orders=(figures[:, 2] > 0).astype(np.int64),
        spend=figures[:, 2],
    )


def test_scores_and_groups_of_hand_built_shoppers():
    scores = rfm_score(_activity())

    found = {
        name: (int(r), int(f), int(m), key)
        for name, r, f, m, key in zip(SHOPPERS, scores.r, scores.f, scores.m, scores.keys, strict=True)
    }
    assert found == EXPECTED


@pytest.mark.parametrize(
    ("values", "lower_is_better", "expected"),
    [
        # ties share a score: six at the minimum are better than nobody
        ([1, 1, 1, 1, 1, 1, 2, 3, 4, 5], False, [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]),
        ([10, 20, 30, 40, 50], False, [1, 2, 3, 4, 5]),
        ([10, 20, 30, 40, 50], True, [5, 4, 3, 2, 1]),
        ([7, 7, 7], True, [1, 1, 1]),
        ([3.0], False, [1]),
    ],
)
def test_quintile_scores(values, lower_is_better, expected):
    assert quintile_scores(np.array(values), lower_is_better=lower_is_better).tolist() == expected


@pytest.mark.parametrize(
    ("r", "f", "m", "key"),
    [
        (4, 4, 4, "champions"),
        (5, 5, 3, "loyal"),
        (3, 4, 5, "loyal"),
        (5, 1, 5, "new"),
        (4, 2, 1, "promising"),
        (5, 3, 5, "promising"),
        (3, 1, 5, "needs-attention"),
        (3, 3, 1, "needs-attention"),
        (2, 3, 5, "at-risk"),
        (1, 5, 5, "at-risk"),
        (2, 2, 5, "hibernating"),
        (1, 1, 1, "hibernating"),
        (3, 5, 0, "browsers"),
        (5, 1, 0, "browsers"),
        (2, 5, 0, "lapsed-browsers"),
    ],
)
def test_the_rule_table(r, f, m, key):
    index = group_of(np.array([r]), np.array([f]), np.array([m]))[0]
    assert GROUPS[index].key == key


def test_every_combination_of_scores_has_exactly_the_first_matching_group():
    r, f, m = (a.ravel() for a in np.meshgrid(range(1, 6), range(1, 6), range(0, 6), indexing="ij"))
    groups = group_of(r, f, m)
    # never bought ↔ a browsers' group; every buyer's group has a rule on R
    browsers = {rfm.BY_KEY["browsers"].code, rfm.BY_KEY["lapsed-browsers"].code}
    codes = np.array([GROUPS[g].code for g in groups])
    assert ((m == 0) == np.isin(codes, list(browsers))).all()
    assert len(set(codes.tolist())) == len(GROUPS)


def test_keys_and_codes_are_unique_and_stable():
    assert [group.key for group in GROUPS] == [
        "champions",
        "loyal",
        "new",
        "promising",
        "needs-attention",
        "at-risk",
        "hibernating",
        "browsers",
        "lapsed-browsers",
    ]
    assert [group.code for group in GROUPS] == list(range(1, 10))


@pytest.mark.django_db
def test_rfm_compute_from_the_database_places_hand_built_shoppers(item):
    shoppers = {
        name: active_shopper(item, recency_days=r, active_days=d, spend=spend)
        for name, (r, d, spend) in SHOPPERS.items()
    }
    # Outside the lookback, or only a cancelled order: no RFM segment, and no weight in the scores.
    gone = ShopperFactory()
    InteractionFactory(shopper=gone, content=item, occurred_at=days_before(181))
    cancelled = OrderFactory(shopper=shoppers["G"], status="cancelled")
    order_at(cancelled, days_before(90))

    computed = rfm_compute(as_of=AS_OF)

    placed = {int(s): segment.key for segment in computed.segments for s in segment.members.tolist()}
    assert placed == {shoppers[name].pk: EXPECTED[name][3] for name in SHOPPERS}
    assert computed.shoppers == 10
    figures = {segment.key: segment.figures for segment in computed.segments}
    # champions A and B: medians of (1, 2) days, (20, 15) active days, (500, 300) spent
    assert figures["champions"] == {
        "size": 2,
        "share": 0.2,
        "recency_days": 1.5,
        "active_days": 17.5,
        "orders": 1.0,
        "spend": 400.0,
        "product_engaged": 0.0,
        "code": 1,
    }
    assert figures["browsers"]["size"] == 0
    assert figures["browsers"]["recency_days"] is None
    assert computed.summary["buyers"] == 8
