"""Training the LightGBM LambdaRank ranker on what shoppers did next.

Examples come from two places, with features computed by ``ranking.features`` exactly as serving
computes them:

* **replay** of history: cut the interactions at a moment (a global time quantile, or each
  shopper's last share of events), fit a ``World`` on what came before, generate candidates for
  the shoppers who came back, and label each candidate by the best thing the shopper did with it
  afterwards (``history.EVENT_GRADE``: a purchase outranks a like, a like a view; a skip is 0).
  Nothing after the cut is visible to the features, so nothing looks ahead.
* **served pages** (``served_examples``): each page of the served-list log is one group, its
  cards with the feature values the ranker saw when it served them (``FeedRequest.features``),
  labelled by what the shopper did with each card within ``SERVED_WINDOW``. Only there is it known
  what a shopper was shown and passed over, so these labels run one step higher: a card hidden or
  skipped is 0, one shown and left alone 1, then view 2 … purchase 5. Pages of models with other
  features than the code computes are left out.

Several cuts are pooled (3 global time cuts, 2 per-shopper cuts) so the model learns both
"what comes next for everyone" and "what comes next for this shopper"; served pages teach it what
shoppers do with what the feed itself puts in front of them.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection

from profiles.events.models import Interaction
from profiles.events.types import NEGATIVE_TYPES, REFUSAL_TYPES
from ranking import registry
from ranking.features import feature_names
from ranking.history import EVENT_GRADE, History, epoch_sql, history_load, shopper_segments
from ranking.models import FeedRequest, RankerModel
from ranking.replay import candidates_for, cut, global_cut_times
from ranking.selfcheck import check_shoppers, validation_split
from ranking.world import World, WorldConfig

logger = logging.getLogger(__name__)

REPLAY_CUTS = (("global", 0.1), ("global", 0.2), ("global", 0.3), ("user", 0.1), ("user", 0.2))
# The cut whose shoppers the self-check (``ranking.selfcheck``) compares the ranker on; their
# examples of this cut are left out of training.
CHECK_CUT = ("user", 0.1)
# Per cut: enough shoppers for ~1M candidate rows, bounded so training stays within minutes.
MAX_USERS_PER_CUT = 4000
# Keep half the negatives of shoppers with a positive; halves training time, costs no accuracy.
NEGATIVE_KEEP = 0.5
# What a shopper does with a served card within this long counts as their answer to it.
SERVED_WINDOW = timedelta(days=1)
# The newest pages of the served-list log a training run learns from.
MAX_SERVED_PAGES = 50_000
# Every tree costs serving time per candidate: a learning rate of 0.1 reaches, with 200 trees,
# about the validation NDCG that 0.05 reaches with 400.
ROUNDS = 200
LGB_PARAMS = {
    "objective": "lambdarank",
    "metric": "ndcg",
    "ndcg_eval_at": [20],
    "learning_rate": 0.1,
    "num_leaves": 15,
    "min_data_in_leaf": 100,
    "lambda_l2": 10.0,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambdarank_truncation_level": 30,
    "verbose": -1,
    "num_threads": 2,
    "seed": 0,
}
# What training chooses between by the self-check (``train``): no one set of trees suits every
# catalog, so the default and larger trees (which tastes spread over many items may need) compete.
LGB_CANDIDATES = (LGB_PARAMS, {**LGB_PARAMS, "num_leaves": 31, "min_data_in_leaf": 50})


@dataclass
class Examples:
    groups: np.ndarray  # one id per (cut, shopper)
    features: np.ndarray
    labels: np.ndarray

    def without(self, groups: list[int]) -> Examples:
        keep = ~np.isin(self.groups, groups)
        return Examples(self.groups[keep], self.features[keep], self.labels[keep])


def replay_examples(
    history: History, mode: str, share: float, *, config: WorldConfig, seed: int, at: float | None = None
) -> Examples:
    held = cut(history, mode, share, at=at)
    after = held.after
    past = history.subset(held.before)  # shoppers' blocks too: nothing after the cut may leak in
    world = World.fit(past, config)
    users = sorted(after)
    if len(users) > MAX_USERS_PER_CUT:
        users = sorted(np.random.default_rng(seed).choice(users, MAX_USERS_PER_CUT, replace=False).tolist())
    if not users:
        return Examples(np.zeros(0, np.int64), np.zeros((0, len(feature_names(world))), np.float32), np.zeros(0))
    u, i, f = candidates_for(world, past, users, held.returns)
    labels = np.fromiter((after[a].get(b, 0) for a, b in zip(u.tolist(), i.tolist(), strict=True)), np.float32, len(u))
    has_positive = np.zeros(history.nu + 1, bool)
    has_positive[u[labels > 0]] = True
    keep = has_positive[u] & ((labels > 0) | (np.random.default_rng(seed).random(len(labels)) < NEGATIVE_KEEP))
    return Examples(groups=u[keep].astype(np.int64), features=f[keep], labels=labels[keep])


def _served_label(kinds: set[str]) -> int:
    """A served card's label from what the shopper did with it: refused 0, left alone 1, else grade + 1."""
    engaged = [EVENT_GRADE.get(kind, 1) for kind in kinds if kind not in NEGATIVE_TYPES]
    if engaged and max(engaged) > 0:
        return max(engaged) + 1
    return 0 if kinds & REFUSAL_TYPES else 1


def served_examples(names: list[str], *, until: datetime | None = None) -> Examples:
    """Pages of the served-list log, as served (features logged by models on ``names``), labelled by
    what each shopper did with each card within ``SERVED_WINDOW`` after it was served. Two queries.

    An event that names the page it came from (its ``request_id``, which the web feed's tracker
    sends) answers that page only: a card served twice in a day is liked on one of the pages, not
    on both. Events without one (an API client that does not send it) answer by the time window.
    """
    versions = [v for v, features in RankerModel.objects.values_list("version", "features") if features == names]
    pages = FeedRequest.objects.filter(shopper__isnull=False, features__model__in=versions)
    if until is not None:
        pages = pages.filter(served_at__lt=until)
    rows = list(
        pages.order_by("-served_at").values_list("shopper_id", "served_at", "items", "features", "request_id")[
            :MAX_SERVED_PAGES
        ]
    )
    empty = Examples(np.zeros(0, np.int64), np.zeros((0, len(names)), np.float32), np.zeros(0, np.float32))
    if not rows:
        return empty
    shoppers = sorted({shopper for shopper, *_ in rows})
    since = min(served_at for _, served_at, *_ in rows)
    done: dict[tuple[int, int], list[tuple[float, str, str]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT shopper_id, content_id, {epoch_sql('occurred_at')}, type, request_id "
            f"FROM {Interaction._meta.db_table} "
            f"WHERE occurred_at >= %s AND shopper_id IN ({', '.join(['%s'] * len(shoppers))})",
            [since, *shoppers],
        )
        for shopper, item, at, kind, request in cursor.fetchall():
            done.setdefault((shopper, item), []).append((float(at), kind, request or ""))
    window = SERVED_WINDOW.total_seconds()
    groups, features, labels = [], [], []
    for page, (shopper, served_at, items, logged, request_id) in enumerate(rows):
        start, this_page = served_at.timestamp(), str(request_id)
        # Cards the ranker did not place (the popular/fresh fill of a page it ran short of) have no row.
        ranked = [(item, row) for item, row in zip(items, logged["rows"], strict=True) if row is not None]
        page_labels = [
            _served_label(
                {
                    kind
                    for at, kind, request in done.get((shopper, item), ())
                    if request == this_page or (not request and start <= at < start + window)
                }
            )
            for item, _ in ranked
        ]
        if len(set(page_labels)) < 2:  # nothing to learn from a page where every card fared alike
            continue
        groups += [page] * len(ranked)
        features += [[np.nan if v is None else v for v in row] for _, row in ranked]
        labels += page_labels
    if not labels:
        return empty
    return Examples(np.asarray(groups, np.int64), np.asarray(features, np.float32), np.asarray(labels, np.float32))


def _dataset(examples: Examples, mask: np.ndarray, names: list[str]) -> Any:
    import lightgbm

    groups = examples.groups[mask]
    sizes = np.diff(np.r_[np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]), len(groups)])
    return lightgbm.Dataset(
        examples.features[mask], examples.labels[mask], group=sizes, feature_name=names, free_raw_data=False
    )


class Stages:
    """Times the stages of a training run: ``with stages("world") as said: …; said("details")``
    tells ``report`` (else the log) the stage's name, details and seconds when it ends."""

    def __init__(self, report: Callable[[str], None] | None) -> None:
        self.report = report

    @contextmanager
    def __call__(self, name: str) -> Iterator[Callable[[str], None]]:
        started, details = time.monotonic(), list[str]()
        yield details.append
        line = f"{name}: {', '.join([*details, f'{time.monotonic() - started:.1f} s'])}"
        if self.report is None:
            logger.info(line)
        else:
            self.report(line)


@dataclass
class TrainingResult:
    booster: object
    world: World
    names: list[str]
    params: dict[str, Any]  # the chosen one of ``LGB_CANDIDATES``
    metrics: dict[str, float]
    examples: int
    seconds: float


def train(
    history: History,
    *,
    config: WorldConfig | None = None,
    rounds: int = ROUNDS,
    report: Callable[[str], None] | None = None,
) -> TrainingResult:
    """Build replay examples, train LambdaRank with early stopping on held-out shoppers, fit the
    final world, check the model against the simple references. ``report`` hears a line as each
    stage ends, with its time (``train_ranker`` prints them)."""
    import lightgbm

    config = config or WorldConfig()
    started = time.monotonic()
    stage = Stages(report)
    parts: list[Examples] = []
    held = cut(history, *CHECK_CUT)
    checked = check_shoppers(held)
    global_shares = [share for mode, share in REPLAY_CUTS if mode == "global"]
    moments = dict(zip(global_shares, global_cut_times(history.t, global_shares), strict=False))
    for n, (mode, share) in enumerate(REPLAY_CUTS):
        if mode == "global" and share not in moments:
            continue  # the data has fewer distinct moments than global cuts
        with stage(f"replay {mode} {share:.1f}") as said:
            part = replay_examples(history, mode, share, config=config, seed=n, at=moments.get(share))
            if (mode, share) == CHECK_CUT:  # what the self-check's shoppers did next is not learned from
                part = part.without(checked)
            # Groups of different cuts must not merge: offset each cut's shopper ids.
            part.groups = part.groups + n * (history.nu + 1)
            parts.append(part)
            said(f"{len(part.labels)} rows, {int((part.labels > 0).sum())} positives")
    with stage("world"):
        world = World.fit(history, config)
        codes = shopper_segments(history, np.full(history.nu, world.now))
        world.shopper_segment = {int(s): int(c) for s, c in zip(history.shoppers, codes, strict=True) if c}
        names = feature_names(world)
    with stage("served pages") as said:
        served = served_examples(names)
        served.groups = served.groups + len(REPLAY_CUTS) * (history.nu + 1)  # after every cut's groups
        said(f"{len(served.labels)} cards, {int((served.labels > 1).sum())} engaged")
    parts.append(served)
    examples = Examples(
        groups=np.concatenate([p.groups for p in parts]),
        features=np.vstack([p.features for p in parts]),
        labels=np.concatenate([p.labels for p in parts]),
    )
    if not len(examples.labels) or not (examples.labels > 0).any():
        raise ValueError("No replay examples with a positive label: the history is too short to learn from.")
    unique = np.unique(examples.groups)
    validation = np.isin(
        examples.groups, np.random.default_rng(0).choice(unique, max(1, len(unique) // 4), replace=False)
    )
    # Hyperparameters by validation on the training data: each candidate set is boosted and
    # self-checked, and the best self-check NDCG@20 wins (LightGBM's own validation NDCG when the
    # history is too small for a self-check).
    chosen: tuple[float, Any, dict[str, Any], dict[str, float]] | None = None
    with stage("self-check split") as said:
        split = validation_split(history, held, checked, config=config)
        said(f"{0 if split is None else len(split.users)} shoppers")
    for n, params in enumerate(LGB_CANDIDATES, start=1):
        evaluation: dict[str, dict[str, list[float]]] = {}
        with stage(f"boosting {n}") as said:
            booster = lightgbm.train(
                params,
                _dataset(examples, ~validation, names),
                rounds,
                valid_sets=[_dataset(examples, validation, names)],
                callbacks=[lightgbm.early_stopping(100, verbose=False), lightgbm.record_evaluation(evaluation)],
            )
            curve = evaluation["valid_0"]["ndcg@20"]
            trees = booster.best_iteration or len(curve)
            said(f"{len(examples.labels)} examples, num_leaves {params['num_leaves']}, {trees} trees")
        metrics = {
            "ndcg@20": float(max(curve)),
            "trees": float(booster.best_iteration or len(curve)),
            "served_cards": float(len(served.labels)),
        }
        with stage(f"self-check {n}") as said:
            check = None if split is None else split.check(booster)
            if check is not None:
                metrics |= check.metrics()
                said(f"NDCG@20 {check.ranker:.4f}, {100 * check.margin:+.1f}% over {check.best_reference[0]}")
        score = check.ranker if check is not None else metrics["ndcg@20"]
        if chosen is None or score > chosen[0]:
            chosen = (score, booster, params, metrics)
    assert chosen is not None
    _, booster, params, metrics = chosen
    return TrainingResult(
        booster=booster,
        world=world,
        names=names,
        params=params,
        metrics=metrics,
        examples=len(examples.labels),
        seconds=time.monotonic() - started,
    )


def ranker_train(
    *, activate: str = "if_better", rounds: int = ROUNDS, report: Callable[[str], None] | None = None
) -> registry.RankerModel:
    """Train on every stored interaction and register the model (see ``registry.ranker_register``);
    ``report`` hears each stage's line (``train``)."""
    with Stages(report)("history") as said:
        history = history_load()
        said(f"{len(history.t)} interactions of {history.nu} shoppers with {history.ni} items")
    result = train(history, rounds=rounds, report=report)
    version = f"{datetime.now(tz=UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:4]}"
    return registry.ranker_register(
        version=version,
        booster=result.booster,
        features=result.names,
        extra={"world": result.world},
        metrics=result.metrics,
        params=result.params,
        examples=result.examples,
        training_seconds=result.seconds,
        trained_from=datetime.fromtimestamp(float(history.t.min()), tz=UTC) if len(history.t) else None,
        trained_until=datetime.fromtimestamp(result.world.now, tz=UTC) if len(history.t) else None,
        activate=activate,
    )
