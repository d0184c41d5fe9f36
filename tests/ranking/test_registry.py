import lightgbm
import numpy as np
import pytest
from django.core.files.storage import storages

from feedsite.errors import ApplicationError
from ranking import registry
from ranking.models import RankerModel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def _booster(seed: int) -> lightgbm.Booster:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, 3))
    y = (x[:, 0] > 0).astype(int)
    return lightgbm.train({"objective": "binary", "verbose": -1, "num_threads": 1}, lightgbm.Dataset(x, y), 5)


def _register(version: str, ndcg: float, features=("a", "b", "c"), checked=None, **kwargs) -> RankerModel:
    return registry.ranker_register(
        version=version,
        booster=_booster(len(version)),
        features=list(features),
        extra={"note": version},
        metrics={"ndcg@20": ndcg} | ({} if checked is None else {"check_margin": checked}),
        params={},
        examples=200,
        training_seconds=0.1,
        **kwargs,
    )


def status_of(*versions):
    return [RankerModel.objects.get(version=v).status for v in versions]


def test_first_model_is_activated_and_served():
    _register("v1", 0.10)

    ranker = registry.active_ranker()

    assert status_of("v1") == ["active"]
    assert ranker is not None
    assert (ranker.version, ranker.features, ranker.extra) == ("v1", ["a", "b", "c"], {"note": "v1"})
    assert ranker.booster.predict(np.zeros((1, 3))).shape == (1,)


def test_a_better_model_replaces_the_active_one_and_a_worse_one_is_refused():
    _register("v1", 0.10)
    _register("v2", 0.12)
    _register("v3", 0.11)

    assert status_of("v1", "v2", "v3") == ["retired", "active", "refused"]


def test_a_model_on_new_features_replaces_one_the_code_no_longer_computes_even_if_it_scores_lower():
    _register("v1", 0.30)
    _register("v2", 0.20, features=("a", "b", "c", "d"))
    _register("v3", 0.10, features=("a", "b", "c", "d"))

    assert status_of("v1", "v2", "v3") == ["retired", "active", "refused"]


def test_refused_model_can_still_be_activated_by_hand():
    _register("v1", 0.10)
    refused = _register("v2", 0.05)

    registry.ranker_activate(model=refused)

    assert status_of("v1", "v2") == ["retired", "active"]


def test_rollback_reactivates_the_previous_model_and_cannot_go_past_the_first():
    _register("v1", 0.10)
    _register("v2", 0.12)

    registry.ranker_rollback()

    assert status_of("v1", "v2") == ["active", "retired"]
    with pytest.raises(ApplicationError, match="no earlier model"):
        registry.ranker_rollback()
    assert status_of("v1", "v2") == ["active", "retired"]


def test_serving_picks_up_a_new_active_version(monkeypatch):
    _register("v1", 0.10)
    assert registry.active_ranker().version == "v1"
    _register("v2", 0.20)
    monkeypatch.setattr(registry, "ACTIVE_CHECK_SECONDS", 0.0)

    assert registry.active_ranker().version == "v2"


def test_no_model_means_no_ranker():
    assert registry.active_ranker() is None


def test_a_models_artifact_is_private_and_no_url_reaches_it(settings, tmp_path, client):
    settings.MEDIA_ROOT = str(tmp_path)  # the public media folder, which /media/ serves
    model = _register("v1", 0.10)

    response = client.get(f"/media/{model.artifact.name}")

    assert response.status_code == 404
    assert not (tmp_path / model.artifact.name).exists()
    assert storages["private"].exists(model.artifact.name)
    with pytest.raises(ValueError, match="no URL"):
        model.artifact.url  # noqa: B018


def test_a_model_that_loses_to_the_best_simple_reference_does_not_replace_the_active_one(caplog):
    _register("v1", 0.10, checked=0.05)
    _register("v2", 0.30, checked=-0.02)  # better on its validation, worse than EASE (say) in the self-check
    _register("v3", 0.12, checked=0.0)  # only as good as the best reference: not better
    _register("v4", 0.12, checked=0.01)

    assert status_of("v1", "v2", "v3", "v4") == ["retired", "refused", "refused", "active"]
    assert not caplog.records


def test_a_first_model_below_the_references_is_activated_with_a_warning_as_nothing_else_can_serve(caplog):
    _register("v1", 0.10, checked=-0.2)

    assert status_of("v1") == ["active"]
    assert "loses to the best simple reference (margin -20.0%)" in caplog.text
