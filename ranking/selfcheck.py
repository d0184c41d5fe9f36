"""The training's self-check: the new ranker against the simple recommenders it must beat.

On the training data only (never a test split): each checked shopper's last share of events is
held back (the training's per-shopper cut ``training.CHECK_CUT``), a world is fitted on what came
before, and each shopper gets 20 unseen items from the ranker (its candidates and features, as
replay builds them) and from each reference, fitted on the same events: popularity, item-kNN
(cosine), ALS and EASE, which are the world's own generators used alone. Each list is scored by
NDCG@20 against what the shopper did next (binary relevance, as ``eval/score.py`` does).

The shoppers (``check_shoppers``: a fifth of those with something held back, at most
``MAX_SHOPPERS``, drawn with a fixed seed) are chosen before training, whether or not any
candidate would find what they did next, and their examples of that cut are left out of training:
the check reads a model on next steps it did not learn from. (Their examples of the global time
cuts stay; the features name no shopper, so what leaks is at most the period's general trend.)
The result goes into the model's ``metrics`` (``check_*``; ``SelfCheck.from_metrics`` reads it
back); ``registry.ranker_register`` does not put a model that loses to the best reference in place
of another one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ranking.candidates.generators import score_all
from ranking.history import History
from ranking.replay import Cut, candidates_for
from ranking.world import World, WorldConfig

logger = logging.getLogger(__name__)

K = 20
# The references, by the generator that is each of them alone.
REFERENCES = {"popularity": "popular", "item_knn": "cosine", "als": "als", "ease": "ease"}
MAX_SHOPPERS = 2000
CHECK_SHARE = 5  # one shopper in 5
BLOCK = 500


@dataclass(frozen=True)
class SelfCheck:
    shoppers: int
    ranker: float  # NDCG@20
    references: dict[str, float]  # NDCG@20 of each of ``REFERENCES``

    @property
    def best_reference(self) -> tuple[str, float]:
        return max(self.references.items(), key=lambda named: (named[1], named[0]))

    @property
    def margin(self) -> float:
        """The ranker's NDCG@20 over the best reference's, less one (0.1: 10 % better)."""
        best = self.best_reference[1]
        return self.ranker / best - 1.0 if best > 0 else (0.0 if self.ranker == 0 else 1.0)

    @classmethod
    def from_metrics(cls, metrics: dict[str, float]) -> SelfCheck | None:
        """The check a model's ``metrics`` record; ``None`` for a model trained without one."""
        if "check_ndcg@20" not in metrics:
            return None
        return cls(
            shoppers=int(metrics.get("check_shoppers", 0)),
            ranker=metrics["check_ndcg@20"],
            references={name: metrics.get(f"check_{name}", 0.0) for name in REFERENCES},
        )

    def metrics(self) -> dict[str, float]:
        return {
            "check_shoppers": float(self.shoppers),
            "check_ndcg@20": self.ranker,
            **{f"check_{name}": value for name, value in self.references.items()},
            "check_margin": self.margin,
        }


def self_check_line(metrics: dict[str, float]) -> str | None:
    """What a model's self-check found, in one line (``train_ranker``); ``None`` without one."""
    check = SelfCheck.from_metrics(metrics)
    if check is None:
        return None
    return (
        f"self-check on {check.shoppers} shoppers: NDCG@20 {check.ranker:.4f} against "
        + ", ".join(f"{name} {value:.4f}" for name, value in check.references.items())
        + f"; {100 * check.margin:+.1f}% over {check.best_reference[0]}"
    )


def ndcg(ranked: Sequence[int], truth: set[int], k: int = K) -> float:
    """Binary-relevance NDCG@k of ``ranked`` against ``truth``."""
    if not truth:
        return 0.0
    gains = sum(1.0 / np.log2(n + 2) for n, item in enumerate(ranked[:k]) if item in truth)
    ideal = sum(1.0 / np.log2(n + 2) for n in range(min(k, len(truth))))
    return float(gains / ideal)


def check_shoppers(held: Cut, seed: int = 0) -> list[int]:
    """The shoppers the self-check reads: a fifth of those with something held back by ``held``,
    at most ``MAX_SHOPPERS``, drawn with ``seed``."""
    candidates = sorted(held.after)
    size = min(MAX_SHOPPERS, len(candidates) // CHECK_SHARE)
    if size < 1:
        return []
    return sorted(np.random.default_rng(seed).choice(candidates, size, replace=False).tolist())


def _best(values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest finite ``values``, best first (ties: the earlier position)."""
    top = np.argpartition(-values, k - 1)[:k] if len(values) > k else np.arange(len(values))
    top = top[np.lexsort((top, -values[top]))]
    return top[np.isfinite(values[top])]


@dataclass(frozen=True)
class Validation:
    """A self-check's split, prepared once for any number of models: the shoppers, what they did
    next, the replayed candidates with their features, and the references' NDCG@20."""

    users: list[int]
    truth: dict[int, set[int]]
    rows: np.ndarray
    items: np.ndarray
    features: np.ndarray
    references: dict[str, float]

    def check(self, booster: Any) -> SelfCheck:
        """``booster``'s order of the candidates, scored against the references."""
        predicted = (
            booster.predict(self.features, num_iteration=booster.best_iteration or None)
            if len(self.rows)
            else self.rows
        )
        ranked: dict[int, list[int]] = {}
        order = np.lexsort((self.items, -np.asarray(predicted), self.rows))  # per shopper, best first (ties by item)
        for row in order.tolist():
            ranked.setdefault(int(self.rows[row]), []).append(int(self.items[row]))
        check = SelfCheck(shoppers=len(self.users), ranker=_mean_ndcg(ranked, self.truth), references=self.references)
        logger.debug(
            "self-check on %d shoppers: ranker NDCG@20 %.4f, %s; margin over the best %+.1f%%",
            check.shoppers,
            check.ranker,
            ", ".join(f"{name} {value:.4f}" for name, value in check.references.items()),
            100 * check.margin,
        )
        return check


def _mean_ndcg(lists: dict[int, list[int]], truth: dict[int, set[int]]) -> float:
    return float(np.mean([ndcg(lists.get(u, []), relevant) for u, relevant in truth.items()]))


def validation_split(history: History, held: Cut, users: Sequence[int], *, config: WorldConfig) -> Validation | None:
    """The split of ``users`` (history shopper indexes with something held back in ``held``);
    ``None`` when none of them has."""
    users = sorted(u for u in set(users) if u in held.after)
    if not users:
        return None
    past = history.subset(held.before)
    world = World.fit(past, config)
    truth = {u: set(held.after[u]) for u in users}
    rows, items, features = candidates_for(world, past, users, held.returns)

    # Each reference: its generator's best unseen items over the whole universe.
    references: dict[str, dict[int, list[int]]] = {name: {} for name in REFERENCES}
    for start in range(0, len(users), BLOCK):
        chunk = users[start : start + BLOCK]
        block = world.block_from_history(past, chunk)
        scores = score_all(world, block, fail_open=False)
        seen_rows, seen_items = block.seen.nonzero()
        seen_pos = world.universe_pos[seen_items]
        for name, generator in REFERENCES.items():
            board = np.array(scores[generator], dtype=np.float32, copy=True)
            board[seen_rows[seen_pos >= 0], seen_pos[seen_pos >= 0]] = -np.inf
            for n, user in enumerate(chunk):
                references[name][user] = [int(world.universe[p]) for p in _best(board[n], K)]
    return Validation(
        users=users,
        truth=truth,
        rows=rows,
        items=items,
        features=features,
        references={name: _mean_ndcg(lists, truth) for name, lists in references.items()},
    )


def self_check(
    history: History, held: Cut, users: Sequence[int], *, booster: Any, config: WorldConfig
) -> SelfCheck | None:
    """The check of one model (``validation_split`` then ``Validation.check``)."""
    split = validation_split(history, held, users, config=config)
    return None if split is None else split.check(booster)
