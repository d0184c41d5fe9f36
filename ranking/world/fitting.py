"""The steps of ``World.fit``: each computes one group of the world's fields from a history.

All are "as of" ``now``, the history's last event, never the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sl
import scipy.sparse as sp

from profiles.events import state
from ranking.history import DEVICES, History
from ranking.world.clock import DAY, DAYPARTS, daypart, weekday
from ranking.world.config import WorldConfig

# Pseudo-counts pulling an item's context shares towards everyone's: 10 events to move halfway.
CONTEXT_PRIOR = 10.0
ALS_ITEMS_PER_FACTOR = 8


@dataclass(frozen=True)
class ItemStatistics:
    log_pop: dict[float, np.ndarray]  # half-life in days (0 = none) → log1p(popularity), per item
    first: np.ndarray
    last: np.ndarray
    rating: np.ndarray
    cat_share: np.ndarray


@dataclass(frozen=True)
class ItemPairs:
    """The collaborative generators' structures over the candidate universe."""

    universe: np.ndarray  # item indexes at least ``min_item_users`` shoppers touched
    cosine: sp.csr_matrix  # universe × universe, top ``cos_topk`` per row
    ease_keep: np.ndarray  # universe positions covered by EASE
    ease: np.ndarray  # len(ease_keep)²
    als: np.ndarray  # universe × factors: ALS item factors (no columns: too little data to fit)
    als_gram: np.ndarray  # factors²: YᵀY + λI, where solving a shopper's factors starts


@dataclass(frozen=True)
class TimeBuckets:
    t0: float
    buckets: sp.csr_matrix  # time bucket × universe counts
    n_buckets: int
    universe_pos: np.ndarray  # item index → universe position, or -1


@dataclass(frozen=True)
class ContextLifts:
    daypart: np.ndarray  # item × daypart
    weekday: np.ndarray  # item × weekday
    device: np.ndarray  # item × device code (history.DEVICES)


@dataclass(frozen=True)
class Counters:
    """Creators' popularity and followers, and the counters serving reads fresher from the store."""

    creator_log_pop: np.ndarray
    creator_log_followers: np.ndarray
    item_counts: np.ndarray
    creator_counts: np.ndarray
    engagement_prior: float


def item_statistics(history: History, positive: History, now: float, config: WorldConfig) -> ItemStatistics:
    """Popularity (all time and decayed; each interaction weighed by its shopper, ``History.weights``),
    first and last interaction, smoothed rating, category shares."""
    ni = history.ni
    counts = positive.weights
    log_pop = {0.0: np.log1p(np.bincount(positive.i, weights=counts, minlength=ni)).astype(np.float32)}
    for half_life in config.pop_half_lives_days:
        weights = np.power(0.5, (now - positive.t) / (half_life * DAY))
        if counts is not None:
            weights = weights * counts
        log_pop[half_life] = np.log1p(np.bincount(positive.i, weights=weights, minlength=ni)).astype(np.float32)
    first = np.full(ni, now)
    np.minimum.at(first, history.i, history.t)
    last = np.full(ni, -np.inf)
    np.maximum.at(last, history.i, history.t)
    last[~np.isfinite(last)] = now
    rated = ~np.isnan(positive.r)
    stars = np.bincount(positive.i[rated], weights=positive.r[rated], minlength=ni)
    # Smoothed with two pseudo-ratings of 3.5: one 5-star review does not make a 5-star item.
    rating = ((stars + 7.0) / (np.bincount(positive.i[rated], minlength=ni) + 2.0)).astype(np.float32)
    cats = history.item_cat[positive.i] if len(positive.i) else np.zeros(0, np.int32)
    cat_share = (np.bincount(cats, minlength=history.n_cat) / max(len(cats), 1)).astype(np.float32)
    return ItemStatistics(log_pop=log_pop, first=first, last=last, rating=rating, cat_share=cat_share)


def item_pairs(positive: History, nu: int, ni: int, config: WorldConfig) -> ItemPairs:
    """The candidate universe, its items' cosine neighbours, and EASE over the most touched of them."""
    x = _recent_items(positive, nu, ni, config.max_user_items)
    users_per_item = np.asarray(x.sum(0)).ravel()
    universe = np.flatnonzero(users_per_item >= config.min_item_users)
    xu = x[:, universe].tocsr()
    n = users_per_item[universe].astype(np.float32)
    keep = np.argsort(-n, kind="stable")[: min(config.ease_items, len(universe))]
    als, als_gram = _als(xu, config)
    return ItemPairs(
        universe=universe,
        cosine=_cosine(xu, n, config.cos_topk),
        ease_keep=keep,
        ease=_ease(xu[:, keep], config.ease_lambda) if len(keep) else np.zeros((0, 0), np.float32),
        als=als,
        als_gram=als_gram,
    )


def time_buckets(positive: History, universe: np.ndarray, ni: int, now: float, config: WorldConfig) -> TimeBuckets:
    """Interactions with the universe's items per ``bucket_days`` (time-local popularity), each
    weighed by its shopper (``History.weights``)."""
    t0 = float(positive.t.min()) if len(positive.t) else now
    pos_of = np.full(ni, -1, np.int64)
    pos_of[universe] = np.arange(len(universe))
    bucket = ((positive.t - t0) // (config.bucket_days * DAY)).astype(np.int64)
    n_buckets = int(bucket.max()) + 1 if len(bucket) else 1
    in_universe = pos_of[positive.i] >= 0
    counts = positive.weights
    weights = np.ones(int(in_universe.sum()), np.float32) if counts is None else counts[in_universe]
    buckets = sp.csr_matrix(
        (weights, (bucket[in_universe], pos_of[positive.i][in_universe])),
        shape=(n_buckets, len(universe)),
    )
    return TimeBuckets(t0=t0, buckets=buckets, n_buckets=n_buckets, universe_pos=pos_of)


def context_lifts(positive: History, ni: int) -> ContextLifts:
    return ContextLifts(
        daypart=_context_lift(positive.i, daypart(positive.t), ni, DAYPARTS),
        weekday=_context_lift(positive.i, weekday(positive.t), ni, 7),
        device=_context_lift(positive.i, positive.d.astype(np.int64), ni, len(DEVICES)),
    )


def counters(history: History, positive: History, now: float) -> Counters:
    """Creators' interest and followers as of ``now``; items' and creators' decayed counters, counted
    as the real-time store's consumer counts them (each event by its shopper's weight, as the
    consumer weighs it); engagements per impression overall."""
    facts = history.facts
    interest = np.bincount(facts.item_creator[positive.i], weights=positive.weights, minlength=facts.n_creators)
    creator_interest = interest.astype(np.float32)
    creator_interest[0] = 0.0
    followed = facts.follow_creator[facts.follow_t <= now]
    ages = now - history.t
    weights = history.weights
    creator_counts = _ranking_counts(facts.item_creator[history.i], history.k, ages, facts.n_creators, weights)
    creator_counts[0] = 0.0
    counted_kinds = history.k >= 0
    kinds = np.bincount(
        history.k[counted_kinds],
        weights=None if weights is None else weights[counted_kinds],
        minlength=len(state.RANKING_KINDS),
    )
    counted = dict(zip(state.RANKING_KINDS, kinds.tolist(), strict=True))
    return Counters(
        creator_log_pop=np.log1p(creator_interest),
        creator_log_followers=np.log1p(np.bincount(followed, minlength=facts.n_creators)).astype(np.float32),
        item_counts=_ranking_counts(history.i, history.k, ages, history.ni, weights),
        creator_counts=creator_counts,
        engagement_prior=counted["engaged"] / counted["shown"] if counted["shown"] else 0.0,
    )


def _recent_items(positive: History, nu: int, ni: int, cap: int) -> sp.csr_matrix:
    """Binary shopper × item matrix of the ``cap`` items each shopper engaged with most recently."""
    key = positive.u.astype(np.int64) * ni + positive.i
    order = np.lexsort((positive.t, key))  # each (shopper, item) pair's events, oldest first
    latest = order[np.r_[key[order][1:] != key[order][:-1], True]] if len(order) else order
    users, items, times = positive.u[latest], positive.i[latest], positive.t[latest]
    newest_first = np.lexsort((-times, users))
    users, items = users[newest_first], items[newest_first]
    rank = np.arange(len(users)) - np.searchsorted(users, users)  # position within the shopper's items
    kept = rank < cap
    return sp.csr_matrix((np.ones(int(kept.sum()), np.float32), (users[kept], items[kept])), shape=(nu, ni))


def _cosine(xu: sp.csr_matrix, n: np.ndarray, topk: int) -> sp.csr_matrix:
    """Item–item cosine over shoppers (``n``: shoppers per item), the ``topk`` strongest per row."""
    co = (xu.T @ xu).tocsr().astype(np.float32)
    co.setdiag(0)
    co.eliminate_zeros()
    co = co.tocoo()
    return _top_k_per_row(
        sp.csr_matrix((co.data / np.sqrt(n[co.row] * n[co.col]), (co.row, co.col)), shape=co.shape), topk
    )


def _ease(xk: sp.csr_matrix, regularisation: float) -> np.ndarray:
    """EASE's item–item weights (Steck 2019: closed form, zero diagonal) over the columns of ``xk``."""
    gram = (xk.T @ xk).toarray().astype(np.float32)
    gram[np.diag_indices_from(gram)] += regularisation
    factor, _ = sl.lapack.spotrf(gram, lower=1)
    inverse, _ = sl.lapack.spotri(factor, lower=1)
    inverse = np.tril(inverse) + np.tril(inverse, -1).T
    ease = (-inverse / np.diag(inverse)[None, :]).astype(np.float32)
    np.fill_diagonal(ease, 0.0)
    return ease


def _als(xu: sp.csr_matrix, config: WorldConfig) -> tuple[np.ndarray, np.ndarray]:
    """Item factors of implicit-feedback ALS (Hu, Koren and Volinsky 2008) over ``xu`` (shoppers ×
    universe, binary), and the Gram matrix a shopper's factors are solved from (``generators``)."""
    # At most one factor per 8 items: on a few dozen items 64 factors fit the noise, not the tastes.
    factors = min(config.als_factors, xu.shape[1] // ALS_ITEMS_PER_FACTOR)
    if xu.nnz == 0 or factors < 1:
        return np.zeros((xu.shape[1], 0), np.float32), np.zeros((0, 0), np.float32)
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, "blas"):  # the library parallelises over rows; BLAS threads inside would fight it
        model = AlternatingLeastSquares(
            factors=factors,
            regularization=config.als_regularization,
            alpha=config.als_alpha,
            iterations=config.als_iterations,
            random_state=0,  # each row is solved from the other side's factors: any thread count gives the same
        )
        model.fit(xu, show_progress=False)
    items = np.ascontiguousarray(model.item_factors, np.float32)
    gram = items.T @ items + config.als_regularization * np.eye(items.shape[1], dtype=np.float32)
    return items, gram.astype(np.float32)


def _top_k_per_row(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    matrix = matrix.tocsr()
    rows, cols, vals = [], [], []
    for r in range(matrix.shape[0]):
        a, b = matrix.indptr[r], matrix.indptr[r + 1]
        if a == b:
            continue
        data, idx = matrix.data[a:b], matrix.indices[a:b]
        if b - a > k:
            keep = np.argpartition(-data, k)[:k]
            data, idx = data[keep], idx[keep]
        rows.append(np.full(len(idx), r))
        cols.append(idx)
        vals.append(data)
    if not rows:
        return sp.csr_matrix(matrix.shape, dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=matrix.shape, dtype=np.float32
    )


def _context_lift(items: np.ndarray, codes: np.ndarray, n_items: int, n_codes: int) -> np.ndarray:
    """(n_items × n_codes): each item's smoothed share of events in each context over everyone's share."""
    counts = np.bincount(items.astype(np.int64) * n_codes + codes, minlength=n_items * n_codes).reshape(
        n_items, n_codes
    )
    overall = counts.sum(0) / max(counts.sum(), 1)
    share = (counts + CONTEXT_PRIOR * overall) / (counts.sum(1, keepdims=True) + CONTEXT_PRIOR)
    return (share / np.maximum(overall, 1e-9)).astype(np.float32)


def _ranking_counts(
    keys: np.ndarray, kinds: np.ndarray, ages: np.ndarray, n_keys: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """(n_keys × ``state.RANKING_COLUMNS``): per key, the decayed counts of events of each kind
    (``history.COUNTER_KIND``) that are ``ages`` seconds old, each event counting ``weights`` (1)."""
    counts = np.ones(len(keys)) if weights is None else weights
    columns = [
        np.bincount(
            keys[kinds == kind],
            weights=counts[kinds == kind] * np.exp2(-ages[kinds == kind] / half_life),
            minlength=n_keys,
        )
        for kind in range(len(state.RANKING_KINDS))
        for half_life in state.WINDOWS.values()
    ]
    return np.column_stack(columns).astype(np.float32)
