"""The fitted world the ranker sees: item statistics and the structures of the candidate generators.

``World.fit(history)`` computes, from interactions up to one moment (``world.now``):

* item statistics over every known item: log popularity (all time and decayed with 30/90/365-day
  half-lives), first and last interaction, smoothed mean rating, root category;
* the candidate universe: items at least ``min_item_users`` shoppers touched;
* item–item cosine neighbours (top ``cos_topk``) and an EASE model over the ``ease_items`` most
  touched items (Steck 2019: a closed-form linear item-item model, strong on sparse data);
* time buckets of interactions for time-local ("trending at your time") popularity;
* context: how much more (or less) each item is engaged with in each part of the day, on each
  weekday and on each device class than items are in general (smoothed towards 1);
* creators: popularity, followers as of ``now``, reputation; items: first product's price, stock;
* counters of items and creators: engagements and impressions decayed with the real-time store's
  half-lives (``state.RANKING_COLUMNS``: 1 h, 24 h, 7 d), counted as its consumer counts them, so
  that serving can read the same numbers fresher from the store and fall back on these.

Training fits one world per replay cut and serving uses the world fitted with the active model,
so item statistics are always "as of" the world's clock (``world.now``), never the wall clock: the
same code gives the same features to a replayed past and to a live request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.linalg as sl
import scipy.sparse as sp

from profiles.events import state
from ranking.history import DEVICES, History

DAY = 86400.0
HOUR = 3600.0
# A session ends after this long without an event (``profiles.events.state.SESSION_GAP_SECONDS``).
SESSION_GAP = 30 * 60.0
DAYPARTS = 4  # of 6 hours, UTC
# Pseudo-counts pulling an item's context shares towards everyone's: 10 events to move halfway.
CONTEXT_PRIOR = 10.0


def daypart(t: np.ndarray) -> np.ndarray:
    return ((t % DAY) // (DAY / DAYPARTS)).astype(np.int64)


def weekday(t: np.ndarray) -> np.ndarray:
    """Monday 0 … Sunday 6 (1 January 1970 was a Thursday)."""
    return ((t // DAY + 3) % 7).astype(np.int64)


def _context_lift(items: np.ndarray, codes: np.ndarray, n_items: int, n_codes: int) -> np.ndarray:
    """(n_items × n_codes): each item's smoothed share of events in each context over everyone's share."""
    counts = np.bincount(items.astype(np.int64) * n_codes + codes, minlength=n_items * n_codes).reshape(
        n_items, n_codes
    )
    overall = counts.sum(0) / max(counts.sum(), 1)
    share = (counts + CONTEXT_PRIOR * overall) / (counts.sum(1, keepdims=True) + CONTEXT_PRIOR)
    return (share / np.maximum(overall, 1e-9)).astype(np.float32)


def _ranking_counts(keys: np.ndarray, kinds: np.ndarray, ages: np.ndarray, n_keys: int) -> np.ndarray:
    """(n_keys × ``state.RANKING_COLUMNS``): per key, the decayed counts of events of each kind
    (``history.COUNTER_KIND``) that are ``ages`` seconds old."""
    columns = [
        np.bincount(keys[kinds == kind], weights=np.exp2(-ages[kinds == kind] / half_life), minlength=n_keys)
        for kind in range(len(state.RANKING_KINDS))
        for half_life in state.WINDOWS.values()
    ]
    return np.column_stack(columns).astype(np.float32)


@dataclass
class Counts:
    """Counters (``state.RANKING_COLUMNS``) of candidates and of their creators, one row per candidate."""

    item: np.ndarray
    creator: np.ndarray


@dataclass(frozen=True)
class WorldConfig:
    # Sizes were chosen on an internal validation cut of the training data (not on any test set):
    # 50 per generator gives ~200 candidates a shopper; EASE over 4,000 items is 64 MB and fits in
    # under 10 s on 2 cores; λ = 300 is EASE's usual range for sparse data.
    n_per_gen: int = 50
    min_item_users: int = 2
    ease_items: int = 4000
    ease_lambda: float = 300.0
    cos_topk: int = 100
    # Item-item statistics (co-occurrence, EASE) take each shopper's most recent items only: a
    # crawler or a reseller with 80,000 items would otherwise add 80,000² pairs, and say little.
    # (1,000 cost ciao's global split 0.0016 NDCG@20; its heaviest shopper has 1,551 events.)
    max_user_items: int = 3000
    trending_widths_days: tuple[float, ...] = (60.0, 180.0)
    pop_half_lives_days: tuple[float, ...] = (30.0, 90.0, 365.0)
    category_half_life_days: float = 180.0
    history_half_life_days: float = 180.0
    bucket_days: float = 30.0


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


@dataclass
class UserBlock:
    """What generators and features need of some shoppers, one row each (item columns = world items)."""

    seen: sp.csr_matrix  # anything the shopper touched, negatives included: never recommended
    positive: sp.csr_matrix  # 1 where the shopper showed interest
    decayed: sp.csr_matrix  # interest weighted by age relative to the shopper's last event
    last: np.ndarray
    first: np.ndarray
    n_items: np.ndarray
    rating: np.ndarray
    cat_share: np.ndarray  # decayed share of each root category in the shopper's history
    cat_share_raw: np.ndarray
    cat_last: np.ndarray  # last event time per category (-inf: never)
    session_depth: np.ndarray  # events in the shopper's latest session (up to ``last``)
    price_mean: np.ndarray  # mean log1p(price) of the priced items the shopper showed interest in; NaN: none

    def __len__(self) -> int:
        return int(self.seen.shape[0])


@dataclass
class World:
    config: WorldConfig
    now: float
    items: np.ndarray  # content id of each item index
    item_index: dict[int, int]
    item_cat: np.ndarray
    n_cat: int
    log_pop: dict[float, np.ndarray]  # half-life in days (0 = none) → log1p(popularity), per item
    item_first: np.ndarray
    item_last: np.ndarray
    item_rating: np.ndarray
    cat_share: np.ndarray
    universe: np.ndarray  # item indexes eligible for the collaborative generators
    cosine: sp.csr_matrix  # universe × universe
    ease_keep: np.ndarray  # universe positions covered by EASE
    ease: np.ndarray  # len(ease_keep)²
    t0: float
    buckets: sp.csr_matrix  # time bucket × universe counts
    n_buckets: int
    daypart_lift: np.ndarray  # item × daypart
    weekday_lift: np.ndarray  # item × weekday
    device_lift: np.ndarray  # item × device code (history.DEVICES)
    item_creator: np.ndarray  # creator index of each item (0: none)
    creator_log_pop: np.ndarray  # per creator: log1p(interest shown in all their items)
    creator_log_followers: np.ndarray  # per creator: log1p(followers as of ``now``)
    creator_reputation: np.ndarray
    item_log_price: np.ndarray
    item_log_stock: np.ndarray
    item_tags: sp.csr_matrix  # items × tag columns (``facts.tag_ids``): 1 where the item carries the tag
    tag_ids: np.ndarray
    item_counts: np.ndarray  # item × state.RANKING_COLUMNS, as of ``now``
    creator_counts: np.ndarray  # creator × state.RANKING_COLUMNS, as of ``now`` (creator 0, none: zeros)
    engagement_prior: float  # engagements per impression over the whole history (0: no impressions)
    universe_pos: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # item index → universe pos or -1

    @property
    def n_items(self) -> int:
        return len(self.items)

    # Column views for scoring a few hundred candidates at request time (``generators.score_at``):
    # built on first use in the serving process, never during training.
    @cached_property
    def buckets_by_item(self) -> sp.csr_matrix:
        """Universe position × time bucket counts (``buckets`` transposed)."""
        return self.buckets.T.tocsr()

    @cached_property
    def cosine_by_column(self) -> sp.csr_matrix:
        """``cosine`` transposed: row c lists the items that have universe position c as a neighbour."""
        return self.cosine.T.tocsr()

    @cached_property
    def ease_pos(self) -> np.ndarray:
        """Universe position → row of ``ease`` (-1: not covered by EASE)."""
        out = np.full(len(self.universe), -1, np.int64)
        out[self.ease_keep] = np.arange(len(self.ease_keep))
        return out

    def tag_columns(self, tag_ids: Sequence[int]) -> np.ndarray:
        """The ``item_tags`` columns of the tags among ``tag_ids`` that some item carried when the
        world was fitted (a shopper's picked interests); the others are left out."""
        ids = np.asarray(tag_ids, np.int64)
        if not len(ids) or not len(self.tag_ids):
            return np.zeros(0, np.int64)
        at = np.minimum(np.searchsorted(self.tag_ids, ids), len(self.tag_ids) - 1)
        return at[self.tag_ids[at] == ids]

    def counts(self, items: np.ndarray, *, when: float | np.ndarray | None = None) -> Counts:
        """The counters of ``items`` and of their creators as of ``when`` (Unix seconds, one for all
        or one per item; default the world's clock): the world's, decayed further as if nothing had
        happened since its clock."""
        decay = np.ones(len(state.RANKING_HALF_LIVES))
        if when is not None:
            late = np.maximum(np.asarray(when, np.float64) - self.now, 0.0)
            decay = np.exp2(-late[..., None] / np.asarray(state.RANKING_HALF_LIVES))
        return Counts(
            item=self.item_counts[items] * decay, creator=self.creator_counts[self.item_creator[items]] * decay
        )

    @classmethod
    def fit(cls, history: History, config: WorldConfig | None = None) -> World:
        config = config or WorldConfig()
        positive = history.subset(history.g > 0)
        ni = history.ni
        now = float(history.t.max()) if len(history.t) else 0.0
        x = _recent_items(positive, history.nu, ni, config.max_user_items)
        users_per_item = np.asarray(x.sum(0)).ravel()
        universe = np.flatnonzero(users_per_item >= config.min_item_users)
        log_pop = {0.0: np.log1p(np.bincount(positive.i, minlength=ni)).astype(np.float32)}
        for half_life in config.pop_half_lives_days:
            weights = np.power(0.5, (now - positive.t) / (half_life * DAY))
            log_pop[half_life] = np.log1p(np.bincount(positive.i, weights=weights, minlength=ni)).astype(np.float32)
        first = np.full(ni, now)
        np.minimum.at(first, history.i, history.t)
        last = np.full(ni, -np.inf)
        np.maximum.at(last, history.i, history.t)
        last[~np.isfinite(last)] = now
        rated = ~np.isnan(positive.r)
        stars = np.bincount(positive.i[rated], weights=positive.r[rated], minlength=ni)
        # Smoothed with two pseudo-ratings of 3.5: one 5-star review does not make a 5-star item.
        item_rating = ((stars + 7.0) / (np.bincount(positive.i[rated], minlength=ni) + 2.0)).astype(np.float32)
        cats = history.item_cat[positive.i] if len(positive.i) else np.zeros(0, np.int32)
        cat_share = (np.bincount(cats, minlength=history.n_cat) / max(len(cats), 1)).astype(np.float32)

        xu = x[:, universe].tocsr()
        n = users_per_item[universe].astype(np.float32)
        co = (xu.T @ xu).tocsr().astype(np.float32)
        co.setdiag(0)
        co.eliminate_zeros()
        co = co.tocoo()
        cosine = _top_k_per_row(
            sp.csr_matrix((co.data / np.sqrt(n[co.row] * n[co.col]), (co.row, co.col)), shape=co.shape),
            config.cos_topk,
        )
        keep = np.argsort(-n, kind="stable")[: min(config.ease_items, len(universe))]
        if len(keep):
            xk = xu[:, keep]
            gram = (xk.T @ xk).toarray().astype(np.float32)
            gram[np.diag_indices_from(gram)] += config.ease_lambda
            factor, _ = sl.lapack.spotrf(gram, lower=1)
            inverse, _ = sl.lapack.spotri(factor, lower=1)
            inverse = np.tril(inverse) + np.tril(inverse, -1).T
            ease = (-inverse / np.diag(inverse)[None, :]).astype(np.float32)
            np.fill_diagonal(ease, 0.0)
        else:
            ease = np.zeros((0, 0), np.float32)
        t0 = float(positive.t.min()) if len(positive.t) else now
        pos_of = np.full(ni, -1, np.int64)
        pos_of[universe] = np.arange(len(universe))
        bucket = ((positive.t - t0) // (config.bucket_days * DAY)).astype(np.int64)
        n_buckets = int(bucket.max()) + 1 if len(bucket) else 1
        in_universe = pos_of[positive.i] >= 0
        buckets = sp.csr_matrix(
            (np.ones(int(in_universe.sum()), np.float32), (bucket[in_universe], pos_of[positive.i][in_universe])),
            shape=(n_buckets, len(universe)),
        )
        facts = history.facts
        creator_interest = np.bincount(facts.item_creator[positive.i], minlength=facts.n_creators).astype(np.float32)
        creator_interest[0] = 0.0
        followed = facts.follow_creator[facts.follow_t <= now]
        ages = now - history.t
        creator_counts = _ranking_counts(facts.item_creator[history.i], history.k, ages, facts.n_creators)
        creator_counts[0] = 0.0
        kinds = np.bincount(history.k[history.k >= 0], minlength=len(state.RANKING_KINDS))
        counted = dict(zip(state.RANKING_KINDS, kinds.tolist(), strict=True))
        return cls(
            config=config,
            now=now,
            items=history.items,
            item_index=history.item_index,
            item_cat=history.item_cat,
            n_cat=history.n_cat,
            log_pop=log_pop,
            item_first=first,
            item_last=last,
            item_rating=item_rating,
            cat_share=cat_share,
            universe=universe,
            cosine=cosine,
            ease_keep=keep,
            ease=ease,
            t0=t0,
            buckets=buckets,
            n_buckets=n_buckets,
            daypart_lift=_context_lift(positive.i, daypart(positive.t), ni, DAYPARTS),
            weekday_lift=_context_lift(positive.i, weekday(positive.t), ni, 7),
            device_lift=_context_lift(positive.i, positive.d.astype(np.int64), ni, len(DEVICES)),
            item_creator=facts.item_creator,
            creator_log_pop=np.log1p(creator_interest),
            creator_log_followers=np.log1p(np.bincount(followed, minlength=facts.n_creators)).astype(np.float32),
            creator_reputation=facts.creator_reputation,
            item_log_price=facts.item_log_price,
            item_log_stock=facts.item_log_stock,
            item_tags=facts.item_tags.tocsr(),
            tag_ids=facts.tag_ids,
            item_counts=_ranking_counts(history.i, history.k, ages, ni),
            creator_counts=creator_counts,
            engagement_prior=counted["engaged"] / counted["shown"] if counted["shown"] else 0.0,
            universe_pos=pos_of,
        )

    def block(
        self,
        events: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    ) -> UserBlock:
        """A block of shoppers from their events: one ``(item_index, t, rating, grade)`` tuple each.

        Items the world does not know (index < 0) are dropped.
        """
        n, ni, cfg = len(events), self.n_items, self.config
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        pos_w: list[np.ndarray] = []
        dec_w: list[np.ndarray] = []
        last = np.full(n, self.now)
        first = np.full(n, self.now)
        rating = np.full(n, 3.5, np.float32)
        cat_share = np.zeros((n, self.n_cat), np.float32)
        cat_raw = np.zeros((n, self.n_cat), np.float32)
        cat_last = np.full((n, self.n_cat), -np.inf)
        session_depth = np.zeros(n, np.float32)
        price_mean = np.full(n, np.nan, np.float32)
        for row, (items, times, ratings, grades) in enumerate(events):
            known = items >= 0
            items, times, ratings, grades = items[known], times[known], ratings[known], grades[known]
            if not len(items):
                continue
            last[row], first[row] = times.max(), times.min()
            good = grades > 0
            weights = np.power(0.5, (last[row] - times) / (cfg.history_half_life_days * DAY)).astype(np.float32)
            rows.append(np.full(len(items), row))
            cols.append(items)
            pos_w.append(good.astype(np.float32))
            dec_w.append(weights * good)
            newest_first = np.sort(times)[::-1]
            breaks = np.flatnonzero(-np.diff(newest_first) > SESSION_GAP)
            session_depth[row] = breaks[0] + 1 if len(breaks) else len(times)
            prices = self.item_log_price[items[good]]
            if (priced := ~np.isnan(prices)).any():
                price_mean[row] = prices[priced].mean()
            rated = good & ~np.isnan(ratings)
            rating[row] = (ratings[rated].sum() + 7.0) / (rated.sum() + 2.0)
            cats = self.item_cat[items[good]]
            if len(cats):
                decay = np.power(0.5, (last[row] - times[good]) / (cfg.category_half_life_days * DAY))
                cat_share[row] += np.bincount(cats, weights=decay, minlength=self.n_cat)
                cat_raw[row] += np.bincount(cats, minlength=self.n_cat)
                np.maximum.at(cat_last[row], cats, times[good])
        cat_share /= np.maximum(cat_share.sum(1, keepdims=True), 1e-9)
        cat_raw /= np.maximum(cat_raw.sum(1, keepdims=True), 1e-9)

        # One sort of the (shopper, item) pairs serves the three matrices: a repeated event keeps
        # its strongest weight instead of adding up.
        if rows:
            key = np.concatenate(rows).astype(np.int64) * ni + np.concatenate(cols)
            order = np.argsort(key, kind="stable")
            starts = np.flatnonzero(np.r_[True, np.diff(key[order]) != 0])
            unique = key[order][starts]
            indptr = np.r_[0, np.cumsum(np.bincount(unique // ni, minlength=n))].astype(np.int32)
            columns = (unique % ni).astype(np.int32)

        def matrix(values: list[np.ndarray] | None) -> sp.csr_matrix:
            """The pairs' strongest values (``None``: 1 for every pair touched), zeros left out."""
            if not rows:
                return sp.csr_matrix((n, ni), dtype=np.float32)
            if values is None:
                return sp.csr_matrix((np.ones(len(unique), np.float32), columns, indptr), shape=(n, ni))
            strongest = np.maximum.reduceat(np.concatenate(values).astype(np.float32)[order], starts)
            out = sp.csr_matrix((strongest, columns, indptr), shape=(n, ni))
            out.eliminate_zeros()
            return out

        positive = matrix(pos_w)
        return UserBlock(
            seen=matrix(None),
            positive=positive,
            decayed=matrix(dec_w),
            last=last,
            first=first,
            # distinct items shown interest in: the positive matrix's entries per row
            n_items=np.diff(positive.indptr).astype(np.float32),
            rating=rating,
            cat_share=cat_share,
            cat_share_raw=cat_raw,
            cat_last=cat_last,
            session_depth=session_depth,
            price_mean=price_mean,
        )

    def block_from_history(self, history: History, users: Sequence[int]) -> UserBlock:
        """The block of ``users`` (history shopper indexes) from ``history``, items re-indexed to this world."""
        if history.items is self.items or np.array_equal(history.items, self.items):
            to_world = np.arange(self.n_items)
        else:
            to_world = np.asarray([self.item_index.get(int(i), -1) for i in history.items], np.int64)
        order = np.argsort(history.u, kind="stable")
        sorted_u = history.u[order]
        events = []
        for user in users:
            a, b = np.searchsorted(sorted_u, [user, user + 1])
            idx = order[a:b]
            events.append((to_world[history.i[idx]], history.t[idx], history.r[idx], history.g[idx]))
        return self.block(events)
