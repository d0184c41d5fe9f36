"""``World``: the fitted world serving and training read, and ``Counts``, its counters of some candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from profiles.events import state
from ranking.history import History
from ranking.world import fitting
from ranking.world.blocks import Events, UserBlock, user_block
from ranking.world.config import WorldConfig


@dataclass
class Counts:
    """Counters (``state.RANKING_COLUMNS``) of candidates and of their creators, one row per candidate."""

    item: np.ndarray
    creator: np.ndarray


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
    als: np.ndarray  # universe × factors: ALS item factors
    als_gram: np.ndarray  # factors²: YᵀY + λI
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
    # Shopper id → segment code as of ``now`` (``history.shopper_segments``; absent: 0), for serving:
    # set by training on the world it serves with, empty on the worlds of replay cuts.
    shopper_segment: dict[int, int] = field(default_factory=dict)

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
        """The world of ``history`` as of its last event, one step (``fitting``) per group of fields."""
        config = config or WorldConfig()
        positive = history.subset(history.g > 0)
        now = float(history.t.max()) if len(history.t) else 0.0
        stats = fitting.item_statistics(history, positive, now, config)
        pairs = fitting.item_pairs(positive, history.nu, history.ni, config)
        timeline = fitting.time_buckets(positive, pairs.universe, history.ni, now, config)
        lifts = fitting.context_lifts(positive, history.ni)
        counters = fitting.counters(history, positive, now)
        facts = history.facts
        return cls(
            config=config,
            now=now,
            items=history.items,
            item_index=history.item_index,
            item_cat=history.item_cat,
            n_cat=history.n_cat,
            log_pop=stats.log_pop,
            item_first=stats.first,
            item_last=stats.last,
            item_rating=stats.rating,
            cat_share=stats.cat_share,
            universe=pairs.universe,
            cosine=pairs.cosine,
            ease_keep=pairs.ease_keep,
            ease=pairs.ease,
            als=pairs.als,
            als_gram=pairs.als_gram,
            t0=timeline.t0,
            buckets=timeline.buckets,
            n_buckets=timeline.n_buckets,
            daypart_lift=lifts.daypart,
            weekday_lift=lifts.weekday,
            device_lift=lifts.device,
            item_creator=facts.item_creator,
            creator_log_pop=counters.creator_log_pop,
            creator_log_followers=counters.creator_log_followers,
            creator_reputation=facts.creator_reputation,
            item_log_price=facts.item_log_price,
            item_log_stock=facts.item_log_stock,
            item_tags=facts.item_tags.tocsr(),
            tag_ids=facts.tag_ids,
            item_counts=counters.item_counts,
            creator_counts=counters.creator_counts,
            engagement_prior=counters.engagement_prior,
            universe_pos=timeline.universe_pos,
        )

    def block(self, events: Sequence[Events]) -> UserBlock:
        """A block of shoppers from their events: one ``(item_index, t, rating, grade)`` tuple each.

        Items the world does not know (index < 0) are dropped.
        """
        return user_block(self, events)

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
