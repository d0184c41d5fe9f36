"""The active model's trees compiled to native code score exactly like LightGBM."""

import numpy as np
import pytest

from ranking import compiled, registry, serving
from ranking.training import ranker_train
from tests.ranking.test_serving import OPEN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ranker_storage")]


@pytest.fixture
def compiling(settings, tmp_path):
    settings.RANKER_COMPILED_TREES = True
    settings.RANKER_COMPILE_DIR = tmp_path / "compiled"
    return settings.RANKER_COMPILE_DIR


def _rows(ranker, n=300):
    rows = np.random.default_rng(1).normal(size=(n, ranker.booster.num_feature())).astype(np.float32)
    rows[::7, 3] = np.nan  # missing values take the trees' default branches
    return rows


def test_compiled_trees_score_like_lightgbm_and_serve_the_feed(shop, compiling):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=40)
    ranker = registry.active_ranker()
    rows = _rows(ranker)
    assert not ranker.trees.started  # loading alone compiles nothing
    ranker.predict(rows)  # the first scores start compiling

    assert ranker.trees.wait(timeout=120)
    np.testing.assert_allclose(ranker.predict(rows), ranker.booster.predict(rows), rtol=1e-6, atol=1e-9)
    assert (compiling / f"{ranker.version}.so").exists()  # the next process loads it instead
    ranked = serving.rank(shopper=shoppers[0][0], exclude=set(), size=10, policy=OPEN, first_page=True)
    assert len(ranked.slots) == 10


def test_until_compiled_and_when_compiling_fails_lightgbm_scores(shop, compiling, monkeypatch):
    ranker_train(activate="always", rounds=20)
    monkeypatch.setattr(compiled, "_compiled", lambda version, booster: (_ for _ in ()).throw(OSError("no LLVM")))
    ranker = registry.active_ranker()
    rows = _rows(ranker)
    ranker.predict(rows)

    assert not ranker.trees.wait(timeout=60)
    np.testing.assert_allclose(ranker.predict(rows), ranker.booster.predict(rows))
