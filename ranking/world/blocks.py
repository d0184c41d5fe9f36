"""Blocks of shoppers: what the generators and features need of some shoppers, from their events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from ranking.world.clock import DAY, SESSION_GAP

if TYPE_CHECKING:
    from ranking.world.fitted import World

Events = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # item index, t, rating, grade


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


def user_block(world: World, events: Sequence[Events]) -> UserBlock:
    """``World.block``: one row per shopper's events; items the world does not know (index < 0) are dropped."""
    n, ni, cfg = len(events), world.n_items, world.config
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    pos_w: list[np.ndarray] = []
    dec_w: list[np.ndarray] = []
    last = np.full(n, world.now)
    first = np.full(n, world.now)
    rating = np.full(n, 3.5, np.float32)
    cat_share = np.zeros((n, world.n_cat), np.float32)
    cat_raw = np.zeros((n, world.n_cat), np.float32)
    cat_last = np.full((n, world.n_cat), -np.inf)
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
        prices = world.item_log_price[items[good]]
        if (priced := ~np.isnan(prices)).any():
            price_mean[row] = prices[priced].mean()
        rated = good & ~np.isnan(ratings)
        rating[row] = (ratings[rated].sum() + 7.0) / (rated.sum() + 2.0)
        cats = world.item_cat[items[good]]
        if len(cats):
            decay = np.power(0.5, (last[row] - times[good]) / (cfg.category_half_life_days * DAY))
            cat_share[row] += np.bincount(cats, weights=decay, minlength=world.n_cat)
            cat_raw[row] += np.bincount(cats, minlength=world.n_cat)
            np.maximum.at(cat_last[row], cats, times[good])
    cat_share /= np.maximum(cat_share.sum(1, keepdims=True), 1e-9)
    cat_raw /= np.maximum(cat_raw.sum(1, keepdims=True), 1e-9)

    pairs = _Pairs(rows, cols, n, ni)
    positive = pairs.matrix(pos_w)
    return UserBlock(
        seen=pairs.matrix(None),
        positive=positive,
        decayed=pairs.matrix(dec_w),
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


class _Pairs:
    """The (shopper, item) pairs of a block, sorted once for its three matrices: a repeated event
    keeps its strongest weight instead of adding up."""

    def __init__(self, rows: list[np.ndarray], cols: list[np.ndarray], n: int, ni: int) -> None:
        self.shape = (n, ni)
        self.empty = not rows
        if self.empty:
            return
        key = np.concatenate(rows).astype(np.int64) * ni + np.concatenate(cols)
        self.order = np.argsort(key, kind="stable")
        self.starts = np.flatnonzero(np.r_[True, np.diff(key[self.order]) != 0])
        unique = key[self.order][self.starts]
        self.indptr = np.r_[0, np.cumsum(np.bincount(unique // ni, minlength=n))].astype(np.int32)
        self.columns = (unique % ni).astype(np.int32)

    def matrix(self, values: list[np.ndarray] | None) -> sp.csr_matrix:
        """The pairs' strongest values (``None``: 1 for every pair touched), zeros left out."""
        if self.empty:
            return sp.csr_matrix(self.shape, dtype=np.float32)
        if values is None:
            return sp.csr_matrix((np.ones(len(self.columns), np.float32), self.columns, self.indptr), shape=self.shape)
        strongest = np.maximum.reduceat(np.concatenate(values).astype(np.float32)[self.order], self.starts)
        # eliminate_zeros compacts the matrix's arrays in place: it gets copies, so that the pairs'
        # columns and row pointers stay whole for the block's other matrices.
        out = sp.csr_matrix((strongest, self.columns.copy(), self.indptr.copy()), shape=self.shape)
        out.eliminate_zeros()
        return out
