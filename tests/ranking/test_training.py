"""Training examples from the served-list log: what was shown, with the features it was shown with."""

import re
from datetime import timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from content.models import ContentItem
from ranking import registry, replay
from ranking.candidates import generators
from ranking.feed import feed_page
from ranking.history import history_load
from ranking.models import FeedRequest, RankerModel
from ranking.replay import global_cut_times
from ranking.training import ranker_train, replay_examples, served_examples
from ranking.world import WorldConfig
from tests.factories import InteractionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ranker_storage")]


def _served_page(shopper, size=4):
    feed_page(shopper=shopper, limit=size, cursor=None)
    page = FeedRequest.objects.get(shopper=shopper)
    return page, [ContentItem.objects.get(pk=pk) for pk in page.items]


def _did(shopper, item, kind, page, after=timedelta(minutes=1), request_id=""):
    InteractionFactory(
        shopper=shopper, content=item, type=kind, occurred_at=page.served_at + after, request_id=request_id
    )


def test_a_served_page_is_one_group_labelled_by_what_the_shopper_did_with_each_card(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]
    page, cards = _served_page(shopper)
    _did(shopper, cards[0], "impression", page)  # shown, left alone
    _did(shopper, cards[1], "like", page)
    _did(shopper, cards[2], "hide", page)  # shown and refused: counts against
    _did(shopper, cards[3], "purchase", page, after=timedelta(days=2))  # too late to be an answer

    examples = served_examples(registry.active_ranker().features)

    assert examples.labels.tolist() == [1, 3, 0, 1]
    assert len(set(examples.groups.tolist())) == 1
    logged = np.array([[np.nan if v is None else v for v in row] for row in page.features["rows"]], np.float32)
    np.testing.assert_array_equal(examples.features, logged)


def test_an_event_that_names_its_page_answers_that_page_only(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]
    first, cards = _served_page(shopper)
    second = FeedRequest.objects.create(
        shopper=shopper,
        feed_session=first.feed_session,
        page=1,
        served_at=first.served_at + timedelta(minutes=5),
        items=first.items,
        reasons=first.reasons,
        features=first.features,
    )  # the same cards again, later the same day (another feed session, say)
    _did(shopper, cards[0], "like", second, request_id=str(second.request_id))
    _did(shopper, cards[1], "hide", first, request_id=str(first.request_id))
    _did(shopper, cards[2], "purchase", second)  # no page named: both pages' windows hold it

    examples = served_examples(registry.active_ranker().features)

    by_page = {int(g): examples.labels[examples.groups == g].tolist() for g in np.unique(examples.groups)}
    # pages newest first: the second page, then the first
    assert list(by_page.values()) == [[3, 1, 5, 1], [1, 0, 5, 1]]


def test_cards_the_ranker_did_not_place_are_left_out_of_their_page(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]
    page, cards = _served_page(shopper)
    page.features["rows"][3] = None  # as logged for a card of the popular/fresh fill
    page.save(update_fields=["features"])
    _did(shopper, cards[1], "like", page)
    _did(shopper, cards[3], "purchase", page)

    examples = served_examples(registry.active_ranker().features)

    assert examples.labels.tolist() == [1, 3, 1]


def test_pages_of_a_model_on_other_features_and_pages_where_nothing_happened_are_left_out(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    names = registry.active_ranker().features
    (first, _), (second, _) = shoppers[0], shoppers[1]
    page, cards = _served_page(first)
    _served_page(second)  # no answer to any card
    _did(first, cards[1], "like", page)
    RankerModel.objects.update(features=["an_older_feature"])

    assert len(served_examples(names).labels) == 0


def test_training_learns_from_served_pages_too(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]
    page, cards = _served_page(shopper)
    _did(shopper, cards[2], "add_to_cart", page)

    model = ranker_train(activate="always", rounds=20)

    assert model.metrics["served_cards"] == 4


def test_train_ranker_if_none_trains_only_while_no_servable_model_is_active(shop, django_capture_on_commit_callbacks):
    first, second = StringIO(), StringIO()

    with django_capture_on_commit_callbacks(execute=True):  # activating clears this process's cache
        call_command("train_ranker", "--if-none", "--rounds", "20", stdout=first)
    call_command("train_ranker", "--if-none", "--rounds", "20", stdout=second)

    assert RankerModel.objects.count() == 1
    assert "active" in first.getvalue()
    assert "not training" in second.getvalue()


def test_replay_examples_are_the_same_whether_shoppers_are_scored_together_or_one_by_one(shop, monkeypatch):
    history = history_load()
    config = WorldConfig()

    together = replay_examples(history, "global", 0.2, config=config, seed=0)
    monkeypatch.setattr(replay, "BLOCK_CELLS", 1)  # one shopper per block, blocks side by side
    monkeypatch.setattr(replay, "THREADS", 3)
    one_by_one = replay_examples(history, "global", 0.2, config=config, seed=0)

    assert len(together.labels) > 100
    np.testing.assert_array_equal(together.groups, one_by_one.groups)
    np.testing.assert_array_equal(together.labels, one_by_one.labels)
    np.testing.assert_allclose(together.features, one_by_one.features, rtol=1e-6)


def test_a_generator_that_fails_during_training_stops_it_instead_of_changing_the_examples(shop, monkeypatch):
    """Serving skips a failed generator; training must not, or a run under memory pressure would
    learn from other candidates than a quiet one."""

    def out_of_memory(world, block):
        raise MemoryError("Unable to allocate 1.2 GiB for an array")

    monkeypatch.setitem(generators.GENERATORS, "ease", out_of_memory)

    with pytest.raises(MemoryError):
        replay_examples(history_load(), "global", 0.2, config=WorldConfig(), seed=0)
    with pytest.raises(MemoryError):
        ranker_train()


def test_train_ranker_prints_each_stage_with_its_time_and_the_self_check(shop):
    out = StringIO()

    call_command("train_ranker", "--rounds", "10", stdout=out)

    lines = out.getvalue().splitlines()
    stages = [line.split(":")[0] for line in lines if line.endswith(" s")]
    assert stages == [
        "history",
        "replay global 0.1",
        "replay global 0.2",
        "replay global 0.3",
        "replay user 0.1",
        "replay user 0.2",
        "world",
        "served pages",
        "self-check split",
        "boosting 1",
        "self-check 1",
        "boosting 2",
        "self-check 2",
    ]
    assert re.fullmatch(r"history: 560 interactions of 40 shoppers with \d+ items, \d+\.\d s", lines[0])
    assert any(line.startswith("ranker ") and "active" in line for line in lines)
    assert lines[-1].startswith("self-check on ")


def test_global_cuts_of_coarse_periods_each_hold_back_something_new():
    years = np.repeat([2010.0, 2011.0, 2012.0, 2013.0], [40, 30, 20, 10])  # the last year holds 10 %

    assert global_cut_times(years, [0.1, 0.2, 0.3]) == [2013.0, 2012.0, 2011.0]
    # 0.1 and 0.2 of the events fall in the last of two periods: the second cut moves a period back
    assert global_cut_times(np.repeat([2010.0, 2011.0], [75, 25]), [0.1, 0.2, 0.3]) == [2011.0]
    seconds = np.arange(1000.0)
    assert global_cut_times(seconds, [0.1, 0.2, 0.3]) == [900.0, 800.0, 700.0]
    assert global_cut_times(np.zeros(0), [0.1]) == []
    assert global_cut_times(np.full(10, 2010.0), [0.1]) == []  # one moment: no cut leaves anything before
