"""The model registry: store, activate, refuse and roll back trained rankers.

A trained ranker is saved as a ``RankerModel`` row plus its artifact (through the default storage,
so S3 in production). ``ranker_register`` activates it only when it scores at least as well
offline as the active one; ``ranker_activate`` and ``ranker_rollback`` are what admin calls.
Serving reads the active model through ``active_ranker()``, cached per process and reloaded when
the active version changes.
"""

from __future__ import annotations

import io
import logging
import pickle
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from feedsite import caches
from feedsite.errors import ApplicationError
from ranking.compiled import CompiledTrees
from ranking.features import feature_names
from ranking.models import RankerModel

logger = logging.getLogger(__name__)

# The offline metric that decides whether a new model may replace the active one.
DECIDING_METRIC = "ndcg@20"
# How often a serving process checks which version is active.
ACTIVE_CHECK_SECONDS = 10.0


@dataclass
class Ranker:
    """A loaded model: the artifact's contents, ready to score."""

    version: str
    booster: Any
    features: list[str]
    extra: dict[str, Any]
    trees: CompiledTrees | None = None  # request-time scoring (compiled once it first scores)

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Ranking scores of feature rows: the compiled trees once ready, LightGBM until then."""
        if self.trees is not None:
            return self.trees.predict(features)
        return np.asarray(self.booster.predict(features, num_threads=1))


def _artifact_bytes(booster: Any, features: list[str], extra: dict[str, Any]) -> bytes:
    # The booster is saved as LightGBM's own text model (portable across versions); the rest of
    # what serving needs (neighbour tables, normalisers) travels pickled beside it.
    buffer = io.BytesIO()
    pickle.dump({"model": booster.model_to_string(), "features": features, "extra": extra}, buffer, protocol=5)
    return buffer.getvalue()


def _load(row: RankerModel) -> Ranker:
    import lightgbm

    with row.artifact.open("rb") as fh:
        payload = pickle.load(fh)  # our own artifact, written by _artifact_bytes
    booster = lightgbm.Booster(model_str=payload["model"], params={"num_threads": 1})
    return Ranker(
        version=row.version,
        booster=booster,
        features=payload["features"],
        extra=payload["extra"],
        trees=CompiledTrees(row.version, booster),
    )


def _better_or_equal(new: dict[str, float], old: dict[str, float]) -> bool:
    if DECIDING_METRIC not in old:
        return True
    return new.get(DECIDING_METRIC, float("-inf")) >= old[DECIDING_METRIC]


def beats_references(metrics: dict[str, float]) -> bool:
    """Whether the training's self-check found the model better than the best simple reference
    (``ranking.selfcheck``); a model trained on too little to check is not held back by it."""
    margin = metrics.get("check_margin")
    return margin is None or margin > 0.0


@transaction.atomic
def ranker_register(
    *,
    version: str,
    booster: Any,
    features: list[str],
    extra: dict[str, Any],
    metrics: dict[str, float],
    params: dict[str, Any],
    examples: int,
    training_seconds: float,
    trained_from: Any = None,
    trained_until: Any = None,
    activate: str = "if_better",
) -> RankerModel:
    """Store a trained model. ``activate``: ``"if_better"`` (default), ``"always"`` or ``"never"``.

    With ``"if_better"`` a model that scores worse offline than the active one, or that loses to
    the best simple reference in the training's self-check, is kept with status ``refused`` and the
    active one stays. With no model this code can serve active, the new one is activated all the
    same (else the feed would serve its popular and fresh fallback, which is no better), and a
    warning says it is below the references.
    """
    row = RankerModel(
        version=version,
        features=features,
        params=params,
        metrics=metrics,
        examples=examples,
        training_seconds=training_seconds,
        trained_from=trained_from,
        trained_until=trained_until,
    )
    row.artifact.save(f"{version}.pkl", ContentFile(_artifact_bytes(booster, features, extra)), save=False)
    row.save()
    active = RankerModel.objects.select_for_update().filter(status=RankerModel.Status.ACTIVE).first()
    # A model on other features than the new one's is one this code no longer computes: it cannot
    # be served, so it is no bar to clear.
    bar = active.metrics if active is not None and active.features == features else None
    if activate == "if_better" and bar is None and not beats_references(metrics):
        logger.warning(
            "ranker %s loses to the best simple reference (margin %+.1f%%); activated as no other can serve",
            version,
            100 * metrics["check_margin"],
        )
    better = bar is None or (_better_or_equal(metrics, bar) and beats_references(metrics))
    if activate == "always" or (activate == "if_better" and better):
        return ranker_activate(model=row)
    if activate == "if_better":
        row.status = RankerModel.Status.REFUSED
        row.save(update_fields=["status"])
    return row


@transaction.atomic
def ranker_activate(*, model: RankerModel) -> RankerModel:
    """Make ``model`` the one serving uses; the previously active one is retired."""
    if not model.artifact:
        raise ApplicationError("This model has no artifact to serve.", code="no_artifact")
    RankerModel.objects.filter(status=RankerModel.Status.ACTIVE).exclude(pk=model.pk).update(
        status=RankerModel.Status.RETIRED
    )
    model.status = RankerModel.Status.ACTIVE
    model.activated_at = timezone.now()
    model.save(update_fields=["status", "activated_at"])
    # This process serves the new model at once; the others within ACTIVE_CHECK_SECONDS.
    transaction.on_commit(clear_cache)
    return model


@transaction.atomic
def ranker_rollback() -> RankerModel:
    """Re-activate the model that was active before the current one."""
    current = RankerModel.objects.select_for_update().filter(status=RankerModel.Status.ACTIVE).first()
    retired = RankerModel.objects.filter(status=RankerModel.Status.RETIRED, activated_at__isnull=False)
    if current is not None:
        retired = retired.exclude(pk=current.pk)
    previous = retired.order_by("-activated_at").first()
    if previous is None:
        raise ApplicationError("There is no earlier model to roll back to.", code="nothing_to_roll_back")
    if current is not None:
        current.status = RankerModel.Status.RETIRED
        current.activated_at = None  # a rolled-back model is not a rollback target again
        current.save(update_fields=["status", "activated_at"])
    return ranker_activate(model=previous)


_lock = threading.Lock()
_state: dict[str, Any] = {"checked": 0.0, "version": None, "ranker": None}


def clear_cache() -> None:
    with _lock:
        _state.update(checked=0.0, version=None, ranker=None)
        _others.clear()


caches.register("ranking.registry", clear_cache)


def active_ranker() -> Ranker | None:
    """The active model, loaded once per version per process; ``None`` before any training."""
    now = time.monotonic()
    with _lock:
        if now - _state["checked"] < ACTIVE_CHECK_SECONDS:
            return _state["ranker"]
    row = RankerModel.objects.filter(status=RankerModel.Status.ACTIVE).first()
    with _lock:
        _state["checked"] = now
        if row is None:
            _state.update(version=None, ranker=None)
        elif row.version != _state["version"]:
            _state.update(version=row.version, ranker=_servable(_load(row)))
        return _state["ranker"]


# Versions other than the active one that a process keeps loaded (experiment variants' rankers).
OTHER_VERSIONS = 2
_others: dict[str, Ranker | None] = {}


def ranker_version(version: str | None) -> Ranker | None:
    """The ranker of ``version`` (``None``: the active one), loaded once per process; ``None`` when
    it cannot be served (no artifact, trained on other features, unknown).

    An experiment variant serves a model that is not active: this process keeps the last
    ``OTHER_VERSIONS`` such models beside the active one, most recently loaded first out.
    """
    active = active_ranker()
    if version is None or (active is not None and active.version == version):
        return active
    with _lock:
        if version in _others:
            return _others[version]
    row = RankerModel.objects.filter(version=version).exclude(artifact="").first()
    ranker = _servable(_load(row)) if row is not None else None
    with _lock:
        _others[version] = ranker
        while len(_others) > OTHER_VERSIONS:
            del _others[next(iter(_others))]
    return ranker


def ranker_servable(model: RankerModel) -> bool:
    """Whether ``model`` can be served by this code (an experiment checks before it starts)."""
    return bool(model.artifact) and ranker_version(model.version) is not None


def _servable(ranker: Ranker) -> Ranker | None:
    """``ranker``, unless it was trained on other features than this code computes (a model from
    before an upgrade): then ``None``, and the feed falls back to popular and fresh until a retrain."""
    world = ranker.extra.get("world")
    if world is not None and ranker.features != feature_names(world):
        logger.error(
            "active ranker %s was trained on other features than this code computes; not served (retrain it)",
            ranker.version,
        )
        return None
    return ranker
