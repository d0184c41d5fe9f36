"""Interleaving credit on hand-built pages and events, and the preference it gives in the report
(Wilson's interval worked by hand)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from experiments.models import Experiment
from experiments.results import Credit, compute, interleaving_credit
from ranking.models import FeedRequest
from tests.factories import (
    ContentItemFactory,
    ExperimentFactory,
    FeedRequestFactory,
    InteractionFactory,
    ShopperFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db
START = datetime.fromisoformat("2025-05-01T00:00:00+00:00")
END = START + timedelta(days=7)


def at(days: float) -> datetime:
    return START + timedelta(days=days)


@pytest.fixture
def experiment():
    experiment = ExperimentFactory(
        name="ranker-duel", kind=Experiment.Kind.INTERLEAVE, status="stopped", started_at=START, stopped_at=END
    )
    VariantFactory(experiment=experiment, name="current", is_control=True)
    VariantFactory(experiment=experiment, name="fresh")
    return experiment


@pytest.fixture
def cards():
    return [ContentItemFactory() for _ in range(4)]


def page(shopper, items, teams, *, label="ranker-duel/interleaved", days=1.0):
    served = FeedRequestFactory(
        shopper=shopper,
        items=[i.pk for i in items],
        reasons=["x"] * len(items),
        variant=label,
        features={"teams": teams},
    )
    FeedRequest.objects.filter(pk=served.pk).update(served_at=at(days))
    return served


def act(shopper, served, item, kind, *, days=1.01):
    InteractionFactory(
        shopper=shopper, content=item, type=kind, request_id=str(served.request_id), occurred_at=at(days)
    )


def test_clicks_and_carts_credit_the_team_that_placed_the_card(experiment, cards):
    a1, b1, a2, b2 = cards
    prefers_b, ties, prefers_a, silent = (ShopperFactory() for _ in range(4))
    # An open and a product click on B's card beat one open on A's: 2 to 1.
    served = page(prefers_b, [a1, b1, a2, b2], ["a", "b", "a", "b"])
    act(prefers_b, served, a1, "open")
    act(prefers_b, served, b1, "open")
    act(prefers_b, served, b1, "product_click")
    # A cart (2) on A's card against two opens on B's cards (1 + 1): a tie.
    served = page(ties, [a1, b1, a2, b2], ["a", "b", "a", "b"])
    act(ties, served, a1, "add_to_cart")
    act(ties, served, b1, "open")
    act(ties, served, b2, "open")
    # Opening the same card twice on one page credits it once; the second page adds its own credit.
    served = page(prefers_a, [b1, a1], ["b", "a"])
    act(prefers_a, served, a1, "open")
    act(prefers_a, served, a1, "open")
    again = page(prefers_a, [a2, b2], ["a", "b"], days=2)
    act(prefers_a, again, a2, "open")
    act(prefers_a, again, b2, "open")
    # Served, clicked nothing (a like is no click).
    served = page(silent, [a1, b1], ["a", "b"])
    act(silent, served, a1, "like")

    credit = interleaving_credit(experiment, end=END)

    assert credit == Credit(wins_a=1, wins_b=1, ties=1, no_credit=1, pages=5)
    assert credit.shoppers == 4


def test_pages_and_events_that_are_not_the_experiments_are_not_credited(experiment, cards):
    a1, b1, *_ = cards
    shopper = ShopperFactory()
    # Another experiment whose name ends like this one's; a page whose teams do not match its items;
    # a click on a card that was not on the page; a click after the end; a page served after it.
    for label in ("big-ranker-duel/interleaved", "ranker-duel/control"):
        served = page(shopper, [a1, b1], ["a", "b"], label=label)
        act(shopper, served, a1, "open")
    misaligned = page(shopper, [a1, b1], ["a"])
    act(shopper, misaligned, a1, "open")
    served = page(shopper, [a1], ["a"])
    act(shopper, served, b1, "open")
    act(shopper, served, a1, "open", days=7.5)
    late = page(shopper, [a1, b1], ["a", "b"], days=7.2)
    act(shopper, late, a1, "open", days=7.25)

    assert interleaving_credit(experiment, end=END) == Credit(wins_a=0, wins_b=0, ties=0, no_credit=1, pages=1)


def test_the_report_of_an_interleaving_is_the_preference_with_wilsons_interval(experiment, cards):
    a1, b1, *_ = cards
    for index in range(20):
        shopper = ShopperFactory()
        served = page(shopper, [a1, b1], ["a", "b"])
        # 14 prefer A, 4 prefer B, 2 tie.
        chosen = [a1] if index < 14 else [b1] if index < 18 else [a1, b1]
        for item in chosen:
            act(shopper, served, item, "open")

    report = compute(experiment, now=at(30))

    preference = report["interleaving"]
    assert report["comparisons"] == []
    assert report["srm"] is None
    assert (preference["wins_a"], preference["wins_b"], preference["ties"]) == (14, 4, 2)
    assert (preference["team_a"], preference["team_b"]) == ("current", "fresh")
    n, share, z = 18, 14 / 18, 1.959963984540054
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert preference["share_a"] == pytest.approx(share)
    assert preference["low"] == pytest.approx(centre - half)
    assert preference["high"] == pytest.approx(centre + half)
    # Two-sided exact binomial test: twice the chance of 14 or more wins out of 18 at one half.
    tail = sum(math.comb(18, k) for k in range(14, 19)) / 2**18
    assert preference["p_value"] == pytest.approx(2 * tail)
