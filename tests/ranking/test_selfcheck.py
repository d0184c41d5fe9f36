"""The training's self-check against popularity, item-kNN, ALS and EASE (``ranking.selfcheck``)."""

import numpy as np
import pytest

from ranking import training
from ranking.history import history_load
from ranking.registry import active_ranker
from ranking.replay import cut
from ranking.selfcheck import REFERENCES, SelfCheck, ndcg, self_check, self_check_line
from ranking.training import ranker_train
from ranking.world import WorldConfig

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ranker_storage")]


def test_ndcg_is_binary_relevance_discounted_by_position():
    assert ndcg([1, 2, 3], {1}) == 1.0
    assert ndcg([9, 1], {1}) == pytest.approx(1 / np.log2(3))
    assert ndcg([9, 1], {1, 5}) == pytest.approx((1 / np.log2(3)) / (1 + 1 / np.log2(3)))
    assert ndcg([9, 8], {1}) == 0.0
    assert ndcg([1], set()) == 0.0
    assert ndcg(list(range(30)), {25}) == 0.0  # past the 20th place


def test_the_margin_is_over_the_best_reference():
    check = SelfCheck(shoppers=10, ranker=0.055, references={"popularity": 0.02, "ease": 0.05, "als": 0.04})

    assert check.best_reference == ("ease", 0.05)
    assert check.margin == pytest.approx(0.1)
    assert check.metrics()["check_margin"] == pytest.approx(0.1)
    # what the registry stores reads back as the same check (admin's column, train_ranker's line)
    assert SelfCheck.from_metrics({"ndcg@20": 0.3, **check.metrics()}) == SelfCheck(
        shoppers=10, ranker=0.055, references={"popularity": 0.02, "item_knn": 0.0, "als": 0.04, "ease": 0.05}
    )
    assert SelfCheck.from_metrics({"ndcg@20": 0.3}) is None


def test_training_records_the_check_and_the_references_see_the_shops_structure(shop):
    model = ranker_train(activate="always", rounds=30)

    metrics = model.metrics
    references = {name: metrics[f"check_{name}"] for name in REFERENCES}
    assert metrics["check_shoppers"] > 0
    # Each shopper is loyal to a category: what is like their history beats what is popular overall.
    assert references["item_knn"] > references["popularity"]
    assert max(references.values()) > 0
    assert metrics["check_margin"] == pytest.approx(metrics["check_ndcg@20"] / max(references.values()) - 1)
    assert self_check_line(metrics).startswith(f"self-check on {int(metrics['check_shoppers'])} shoppers")


def test_the_check_reads_only_shoppers_with_something_held_back_and_none_without(shop):
    history = history_load()
    held = cut(history, "user", 0.1)
    model = ranker_train(activate="always", rounds=10)
    booster = active_ranker().booster
    nobody = [u for u in range(history.nu + 1) if u not in held.after]

    assert self_check(history, held, nobody, booster=booster, config=WorldConfig()) is None
    some = sorted(held.after)[:5]
    check = self_check(history, held, some, booster=booster, config=WorldConfig())
    assert check is not None
    assert check.shoppers == 5
    assert model.status == "active"


def test_training_keeps_the_hyperparameters_whose_model_checks_best(shop, monkeypatch):
    stump = {**training.LGB_PARAMS, "num_leaves": 2, "learning_rate": 1e-6}  # learns next to nothing
    monkeypatch.setattr(training, "LGB_CANDIDATES", (stump, training.LGB_PARAMS))

    model = ranker_train(activate="always", rounds=30)

    assert model.params == training.LGB_PARAMS
    assert model.metrics["check_ndcg@20"] > 0
