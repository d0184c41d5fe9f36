"""The scored candidate generators: each scores the whole candidate universe for a block of shoppers.

    popular   log popularity, all time             (source "popular")
    popular90 popularity decayed, 90-day half-life  (source "popular")
    trend60   popularity around the shopper's time, Gaussian over 60 days  (source "trending")
    trend180  the same over 180 days                (source "trending")
    ease      EASE item-item model on the history   (source "collaborative")
    als       implicit-feedback ALS factors          (source "collaborative")
    cosine    item-item cosine on decayed history   (source "collaborative")
    category  shopper's category share × yearly popularity (source "affinity")

Each returns an (n_shoppers × universe) score matrix; ``top_candidates`` keeps the best
``n_per_gen`` unseen items of each, so a shopper gets ~200 candidates from eight angles.

Finding candidates needs the whole universe (``score_all``, what training and the precompute do);
featurizing known candidates needs only their columns (``score_at``, what a request does when its
candidates were precomputed). Both give the same numbers for the same columns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

import numpy as np
import scipy.sparse as sp

from ranking.world import DAY, UserBlock, World

logger = logging.getLogger(__name__)
Scores = dict[str, np.ndarray]


def _popular(world: World, block: UserBlock) -> np.ndarray:
    return np.broadcast_to(world.log_pop[0.0][world.universe], (len(block), len(world.universe)))


def _popular90(world: World, block: UserBlock) -> np.ndarray:
    return np.broadcast_to(world.log_pop[90.0][world.universe], (len(block), len(world.universe)))


def _trending(width_days: float) -> Callable[[World, UserBlock], np.ndarray]:
    def score(world: World, block: UserBlock) -> np.ndarray:
        centre = (block.last - world.t0) / (world.config.bucket_days * DAY)
        offsets = np.arange(world.n_buckets)[None, :] + 0.5 - centre[:, None]
        kernel = np.exp(-0.5 * (offsets / (width_days / world.config.bucket_days)) ** 2).astype(np.float32)
        return np.asarray((sp.csr_matrix(kernel) @ world.buckets).todense())

    return score


def _ease(world: World, block: UserBlock) -> np.ndarray:
    out = np.zeros((len(block), len(world.universe)), np.float32)
    if len(world.ease_keep):
        history = block.positive[:, world.universe[world.ease_keep]]
        out[:, world.ease_keep] = history @ world.ease
    return out


def als_shoppers(world: World, block: UserBlock) -> np.ndarray:
    """Each shopper's ALS factors, solved against the world's item factors from their positive
    history: implicit ALS's own shopper step (confidence 1 + α on what they engaged with), so a
    shopper the world never saw, or who did more since, gets factors as if they had been fitted."""
    k = world.als.shape[1]
    out = np.zeros((len(block), k), np.float32)
    if not k:
        return out
    alpha = world.config.als_alpha
    for n in range(len(block)):
        pos, _ = _history_row(world, block.positive, n)
        if len(pos):
            factors = world.als[pos]
            out[n] = np.linalg.solve(world.als_gram + alpha * (factors.T @ factors), (1 + alpha) * factors.sum(0))
    return out


def _als_scores(shoppers: np.ndarray, items: np.ndarray) -> np.ndarray:
    # In float64, rounded once: a float32 product's rounding depends on how many shoppers are
    # scored together, and a block's scores must not (training scores blocks of any size).
    return (shoppers.astype(np.float64) @ items.T.astype(np.float64)).astype(np.float32)


def _als(world: World, block: UserBlock) -> np.ndarray:
    return _als_scores(als_shoppers(world, block), world.als)


def _cosine(world: World, block: UserBlock) -> np.ndarray:
    return np.asarray((block.decayed[:, world.universe] @ world.cosine).todense())


def _category(world: World, block: UserBlock) -> np.ndarray:
    cats = world.item_cat[world.universe]
    return block.cat_share[:, cats] * world.log_pop[365.0][world.universe][None, :]


GENERATORS: dict[str, Callable[[World, UserBlock], np.ndarray]] = {
    "popular": _popular,
    "popular90": _popular90,
    "trend60": _trending(60.0),
    "trend180": _trending(180.0),
    "ease": _ease,
    "als": _als,
    "cosine": _cosine,
    "category": _category,
}
SOURCE_OF = {
    "popular": "popular",
    "popular90": "popular",
    "trend60": "trending",
    "trend180": "trending",
    "ease": "collaborative",
    "als": "collaborative",
    "cosine": "collaborative",
    "category": "affinity",
}


def _popular_at(half_life: float) -> Callable[[World, UserBlock, np.ndarray], np.ndarray]:
    def score(world: World, block: UserBlock, columns: np.ndarray) -> np.ndarray:
        return np.broadcast_to(world.log_pop[half_life][world.universe[columns]], (len(block), len(columns)))

    return score


def _trending_at(width_days: float) -> Callable[[World, UserBlock, np.ndarray], np.ndarray]:
    def score(world: World, block: UserBlock, columns: np.ndarray) -> np.ndarray:
        centre = (block.last - world.t0) / (world.config.bucket_days * DAY)
        offsets = np.arange(world.n_buckets)[None, :] + 0.5 - centre[:, None]
        kernel = np.exp(-0.5 * (offsets / (width_days / world.config.bucket_days)) ** 2).astype(np.float32)
        # The columns' bucket counts, gathered by hand: slicing the sparse matrix per call is slower.
        counts = world.buckets_by_item
        entries, owner = _row_entries(counts.indptr, columns)
        weighted = counts.data[entries][None, :] * kernel[:, counts.indices[entries]]
        out = np.zeros((len(block), len(columns)), np.float32)
        for n in range(len(block)):
            out[n] = np.bincount(owner, weights=weighted[n], minlength=len(columns))
        return out

    return score


def _row_entries(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions in a CSR matrix's ``data``/``indices`` of the entries of ``rows``, row after
    row, and which of ``rows`` (by position in it) each belongs to."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    entries = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    return entries, np.repeat(np.arange(len(rows)), lengths)


def _history_row(world: World, matrix: sp.csr_matrix, row: int) -> tuple[np.ndarray, np.ndarray]:
    """(universe positions, weights) of one shopper's history in ``matrix``, items outside the universe dropped."""
    a, b = matrix.indptr[row], matrix.indptr[row + 1]
    pos = world.universe_pos[matrix.indices[a:b]]
    keep = pos >= 0
    return pos[keep], matrix.data[a:b][keep]


def _ease_at(world: World, block: UserBlock, columns: np.ndarray) -> np.ndarray:
    # Only the EASE rows of items in the history count: a few hundred of them, gathered densely.
    out = np.zeros((len(block), len(columns)), np.float32)
    rows = world.ease_pos[columns]
    covered = rows >= 0
    if not covered.any():
        return out
    for n in range(len(block)):
        pos, weights = _history_row(world, block.positive, n)
        at = world.ease_pos[pos]
        kept = at >= 0
        if kept.any():
            out[n, covered] = weights[kept] @ world.ease[np.ix_(at[kept], rows[covered])]
    return out


def _cosine_by_rows(world: World, pos: np.ndarray, weights: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Σₕ weight(h)·cosine(h, c) at ``columns``: the history's rows of the table (each at most
    ``cos_topk`` neighbours) added up over the universe, then read at the columns."""
    cosine = world.cosine
    entries, owner = _row_entries(cosine.indptr, pos)
    weighted = cosine.data[entries] * weights[owner]
    return np.bincount(cosine.indices[entries], weights=weighted, minlength=cosine.shape[1])[columns]


def _cosine_by_columns(world: World, pos: np.ndarray, weights: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """The same sum from the columns' side: the items that have each column as a neighbour, against
    the history's weights."""
    by_column = world.cosine_by_column
    dense = np.zeros(by_column.shape[1], np.float32)
    dense[pos] = weights
    entries, owner = _row_entries(by_column.indptr, columns)
    weighted = by_column.data[entries] * dense[by_column.indices[entries]]
    return np.bincount(owner, weights=weighted, minlength=len(columns))


def _cosine_at(world: World, block: UserBlock, columns: np.ndarray) -> np.ndarray:
    # Whichever side has fewer entries: a long history has far more row entries than 300 columns
    # have column entries (ciao's heaviest shoppers: ~100k against ~25k).
    out = np.zeros((len(block), len(columns)), np.float32)
    indptr = world.cosine.indptr
    column_entries = int((world.cosine_by_column.indptr[columns + 1] - world.cosine_by_column.indptr[columns]).sum())
    for n in range(len(block)):
        pos, weights = _history_row(world, block.decayed, n)
        if len(pos):
            by_rows = int((indptr[pos + 1] - indptr[pos]).sum()) <= column_entries
            out[n] = (_cosine_by_rows if by_rows else _cosine_by_columns)(world, pos, weights, columns)
    return out


def because_of(world: World, block: UserBlock, items: np.ndarray, *, most: int = 3) -> list[list[int]]:
    """For each world item index of ``items``: the (at most ``most``) items of shopper 0's history
    that did most to propose it collaboratively, best first, as world item indexes: by ``cosine``
    weight, else by ``ease`` weight; empty where no history item points to it. What "Because you
    liked …" names."""
    anchors: list[list[int]] = [[] for _ in range(len(items))]
    targets = world.universe_pos[items]
    if not len(items) or not (targets >= 0).any():
        return anchors
    # cosine: each target's column of the table (the items that have it as a neighbour) against
    # the history's weights; a long history has ~100k row entries, ten targets ~1,000 column ones
    by_column = world.cosine_by_column
    pos, weights = _history_row(world, block.decayed, 0)
    history = np.zeros(by_column.shape[1], np.float32)
    history[pos] = weights
    # ease, for a target no cosine entry points to: the history's positive rows at its column
    positive, positive_weights = _history_row(world, block.positive, 0)
    rows = world.ease_pos[positive]
    positive, positive_weights, rows = positive[rows >= 0], positive_weights[rows >= 0], rows[rows >= 0]
    for n, target in enumerate(targets.tolist()):
        if target < 0:
            continue
        a, b = by_column.indptr[target], by_column.indptr[target + 1]
        pointing = by_column.indices[a:b]
        weighted = by_column.data[a:b] * history[pointing]
        if (weighted > 0).any():
            order = np.argsort(-weighted, kind="stable")[:most]
            order = order[weighted[order] > 0]
            anchors[n] = [int(world.universe[at]) for at in pointing[order]]
        elif world.ease_pos[target] >= 0 and len(rows):
            contribution = positive_weights * world.ease[rows, world.ease_pos[target]]
            order = np.argsort(-contribution, kind="stable")[:most]
            anchors[n] = [int(world.universe[positive[k]]) for k in order if contribution[k] > 0]
    return anchors


def _als_at(world: World, block: UserBlock, columns: np.ndarray) -> np.ndarray:
    return _als_scores(als_shoppers(world, block), world.als[columns])


def _category_at(world: World, block: UserBlock, columns: np.ndarray) -> np.ndarray:
    cats = world.item_cat[world.universe[columns]]
    return block.cat_share[:, cats] * world.log_pop[365.0][world.universe[columns]][None, :]


GENERATORS_AT: dict[str, Callable[[World, UserBlock, np.ndarray], np.ndarray]] = {
    "popular": _popular_at(0.0),
    "popular90": _popular_at(90.0),
    "trend60": _trending_at(60.0),
    "trend180": _trending_at(180.0),
    "ease": _ease_at,
    "als": _als_at,
    "cosine": _cosine_at,
    "category": _category_at,
}


def score_at(world: World, block: UserBlock, columns: np.ndarray, *, fail_open: bool = True) -> Scores:
    """Every generator's scores at universe positions ``columns`` only (n_shoppers × len(columns)).

    Fails open like ``score_all``.
    """
    scores: Scores = {}
    for name, generate in GENERATORS_AT.items():
        scores[name] = _scored(name, partial(generate, world, block, columns), (len(block), len(columns)), fail_open)
    return scores


def score_all(world: World, block: UserBlock, *, fail_open: bool = True) -> Scores:
    """Every generator's scores. Serving: a generator that fails is skipped (all zeros), never the
    feed. Training passes ``fail_open=False``: a generator skipped under memory pressure would
    silently change the examples, so a run would measure the machine's load, not the ranking."""
    scores: Scores = {}
    for name, generate in GENERATORS.items():
        scores[name] = _scored(name, partial(generate, world, block), (len(block), len(world.universe)), fail_open)
    return scores


def _scored(name: str, generate: Callable[[], np.ndarray], shape: tuple[int, int], fail_open: bool) -> np.ndarray:
    if not fail_open:
        return generate()
    try:
        return generate()
    except Exception:
        logger.exception("candidate generator %s failed; skipped for this request", name)
        return np.zeros(shape, np.float32)


def top_candidates(world: World, block: UserBlock, scores: Scores, n_per_gen: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, item index) pairs: the union of each generator's best unseen, positively scored items."""
    n, size = len(block), len(world.universe)
    if not size or not n:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    seen_rows, seen_items = block.seen.nonzero()
    seen_pos = world.universe_pos[seen_items]
    mask = seen_pos >= 0
    chosen = np.zeros((n, size), bool)
    k = min(n_per_gen, size - 1) if size > 1 else 1
    for values in scores.values():
        board = np.array(values, dtype=np.float32, copy=True)
        board[seen_rows[mask], seen_pos[mask]] = -np.inf
        best = np.argpartition(-board, k - 1, axis=1)[:, :k] if size > k else np.tile(np.arange(size), (n, 1))
        picked = np.take_along_axis(board, best, 1)
        ok = (np.isfinite(picked) & (picked > 0)).ravel()
        chosen[np.repeat(np.arange(n), best.shape[1])[ok], best.ravel()[ok]] = True
    rows, pos = np.nonzero(chosen)
    return rows, world.universe[pos]
