"""Features of (shopper, candidate) pairs: one function for training and for serving.

``featurize`` takes the generator score matrices (``candidates.generators.score_all``) and any
candidate items, including ones from live sources outside the generators' universe (their
generator scores are 0 and their ranks last). Serving calls it for one shopper per request;
training calls it for blocks of thousands, with worlds fitted on earlier data.

Counter features (the last columns) come from each candidate's and its creator's decayed counts of
engagements and impressions (``world.Counts``): log1p of a count, and engagement rates smoothed
towards everyone's, ``(engaged + a·p) / (shown + a)`` over one window, with ``p`` the world's
engagements per impression (``World.engagement_prior``) and ``a`` = ``RATE_PSEUDO_IMPRESSIONS``.
By default they are the world's, decayed from its clock to each row's request time as if nothing
had happened since (training: when the shopper came back after the cut); serving passes the
real-time store's where it has them, decayed to the request time (``serving``). Decaying the
world's to the request time matters: counted as of the cut, a replay teaches the model that what
was hot in the hour before the cut is hot whenever the shopper comes back (a newcomer's morning page
then led with the previous evening's items, tests/ranking/test_context.py).

The shopper's segment (``u_segment``, the last column) is a code the apps above give
(``signals.shopper_segments``; experiments' RFM group), measured the way the other shopper features
are: in training as of when the shopper came back after the cut, from what came before it; in
serving as of the world's clock, carried with the world (``World.shopper_segment``), so that a
request reads it without a query.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from profiles.events import state
from ranking.candidates.generators import Scores
from ranking.world import DAY, HOUR, SESSION_GAP, Counts, UserBlock, World, daypart, weekday

# The generators whose scores are features, and those whose ranks (within each shopper's candidates) are too.
SCORED = ("popular", "popular90", "trend60", "trend180", "ease", "als", "cosine", "category")
RANKED = ("popular", "trend60", "trend180", "ease", "als", "cosine", "category")
UNRANKED = 1e4
# The item's and its creator's engagements and impressions over 1 h, 24 h and 7 d (the last columns).
COUNTERS = (
    "i_eng_1h",
    "i_eng_24h",
    "i_eng_7d",
    "i_imp_24h",
    "i_imp_7d",
    "i_rate_24h",
    "i_rate_7d",
    "c_eng_24h",
    "c_eng_7d",
    "c_rate_7d",
)
# An item's (or creator's) own engagement rate weighs as much as everyone's once it has been shown
# this many times (decayed): fewer impressions say little about a rate of a few per cent.
RATE_PSEUDO_IMPRESSIONS = 20.0


@dataclass(frozen=True)
class Context:
    """Where and when each shopper of a block asks for their feed (one entry per block row).

    Serving: the request's time and device class. Training: the time and device of the shopper's
    first event after the cut, when they came back (``training.replay_examples``).
    """

    when: np.ndarray  # Unix seconds
    device: np.ndarray  # device code (``history.DEVICES``)
    # The tag columns (``World.tag_ids``) of the interests each shopper picked at onboarding, as of
    # ``when``; none given: nobody picked any.
    interests: tuple[np.ndarray, ...] = ()
    # Each shopper's segment code as of ``when`` (``history.shopper_segments``); none given: 0, no segment.
    segment: np.ndarray | None = None

    @classmethod
    def at(
        cls,
        when: float,
        device: int = 0,
        *,
        shoppers: int = 1,
        interests: np.ndarray | None = None,
        segment: int = 0,
    ) -> Context:
        picked = () if interests is None else (np.asarray(interests, np.int64),) * shoppers
        return cls(
            when=np.full(shoppers, when),
            device=np.full(shoppers, device, np.int64),
            interests=picked,
            segment=np.full(shoppers, segment, np.int64),
        )

    def interest_matrix(self, n_tags: int) -> sp.csr_matrix:
        """Block rows × tag columns: 1 where the row's shopper picked the tag."""
        lengths = [len(picked) for picked in self.interests]
        rows = np.repeat(np.arange(len(lengths)), lengths)
        columns = np.concatenate(self.interests) if lengths else np.zeros(0, np.int64)
        return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, columns)), shape=(len(self.when), n_tags))


def feature_names(world: World) -> list[str]:
    names = [f"s_{g}" for g in SCORED]
    names += [f"r_{g}" for g in RANKED]
    names += [f"ipop_{int(h)}" for h in sorted(world.log_pop)]
    names += [
        "i_age_days",
        "i_since_last_days",
        "i_first_minus_ulast",
        "i_last_minus_ulast",
        "i_rating",
        "u_n",
        "u_since_last_days",
        "u_span_days",
        "u_rating",
        "uc_share",
        "uc_share_raw",
        "uc_lift",
        "uc_days_since",
        "cat_share",
        # context
        "ctx_hour",
        "ctx_weekday",
        "ctx_device",
        "i_daypart_lift",
        "i_weekday_lift",
        "i_device_lift",
        "u_session_depth",
        # creator, price, stock
        "c_log_pop",
        "c_log_followers",
        "c_reputation",
        "i_log_price",
        "u_price_rel",
        "i_log_stock",
        *COUNTERS,
        "u_interest_tags",
        "u_segment",
    ]
    return names


def _ranks(rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Position of each value within its row's candidates, best first (rows must be sorted)."""
    if not len(rows):
        return np.zeros(0, np.float32)
    ranks = np.empty(len(values), np.float32)
    if rows[0] == rows[-1]:  # one shopper (serving): a stable sort, as lexsort's
        ranks[np.argsort(-values, kind="stable")] = np.arange(len(values))
        return ranks
    starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
    position = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
    ranks[np.lexsort((-values, rows))] = position
    return ranks


def _score_columns(world: World, items: np.ndarray, columns: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Where each item's scores are in the score matrices, and whether it has any.

    The matrices span the whole universe (``score_all``) or only the sorted universe positions
    ``columns`` (``score_at``).
    """
    pos = world.universe_pos[items]
    if columns is None:
        return pos, pos >= 0
    if not len(columns):
        return np.zeros_like(pos), np.zeros(len(pos), bool)
    at = np.minimum(np.searchsorted(columns, pos), len(columns) - 1)
    return at, (pos >= 0) & (columns[at] == pos)


def _smoothed_rate(counts: np.ndarray, window: str, prior: float) -> np.ndarray:
    """Engagements per impression over ``window``: (engaged + a·prior) / (shown + a)."""
    engaged = counts[:, state.RANKING_COLUMNS.index(f"engaged:{window}")]
    shown = counts[:, state.RANKING_COLUMNS.index(f"shown:{window}")]
    return (engaged + RATE_PSEUDO_IMPRESSIONS * prior) / (shown + RATE_PSEUDO_IMPRESSIONS)


def _counter_columns(counts: Counts, prior: float) -> list[np.ndarray]:
    def log_count(table: np.ndarray, column: str) -> np.ndarray:
        return np.log1p(table[:, state.RANKING_COLUMNS.index(column)])

    item, creator = counts.item, counts.creator
    return [
        log_count(item, "engaged:1h"),
        log_count(item, "engaged:24h"),
        log_count(item, "engaged:7d"),
        log_count(item, "shown:24h"),
        log_count(item, "shown:7d"),
        _smoothed_rate(item, "24h", prior),
        _smoothed_rate(item, "7d", prior),
        log_count(creator, "engaged:24h"),
        log_count(creator, "engaged:7d"),
        _smoothed_rate(creator, "7d", prior),
    ]


def _interest_tags(world: World, rows: np.ndarray, items: np.ndarray, context: Context) -> np.ndarray:
    """How many of each item's tags its shopper picked at onboarding (cold start's first signal)."""
    if not any(len(picked) for picked in context.interests):
        return np.zeros(len(rows), np.float32)
    picked = context.interest_matrix(world.item_tags.shape[1])[rows]
    return np.asarray(world.item_tags[items].multiply(picked).sum(axis=1)).ravel()


def featurize(
    world: World,
    block: UserBlock,
    scores: Scores,
    rows: np.ndarray,
    items: np.ndarray,
    *,
    context: Context,
    columns: np.ndarray | None = None,
    counts: Counts | None = None,
) -> np.ndarray:
    """The feature matrix (len(rows) × len(feature_names)), rows sorted by ``rows``.

    ``context``: when and on what device each block row asks. ``columns``: the universe positions
    the score matrices cover, when not the whole universe. ``counts``: the candidates' counters
    when fresher than the world's (serving); default the world's, decayed to each row's request time.
    """
    pos, inside = _score_columns(world, items, columns)
    out: list[np.ndarray] = []
    generator_scores = {}
    for name, matrix in scores.items():
        values = np.zeros(len(rows), np.float32)
        values[inside] = np.asarray(matrix)[rows[inside], pos[inside]]
        generator_scores[name] = values
    for name in SCORED:
        out.append(generator_scores[name])
    for name in RANKED:
        ranks = _ranks(rows, np.where(inside, generator_scores[name], -np.inf))
        ranks[~inside] = UNRANKED
        out.append(ranks)
    for half_life in sorted(world.log_pop):
        out.append(world.log_pop[half_life][items])
    cats = world.item_cat[items]
    u_last = block.last[rows]
    out += [
        (world.now - world.item_first[items]) / DAY,
        (world.now - world.item_last[items]) / DAY,
        (world.item_first[items] - u_last) / DAY,
        (world.item_last[items] - u_last) / DAY,
        world.item_rating[items],
        block.n_items[rows],
        (world.now - u_last) / DAY,
        (u_last - block.first[rows]) / DAY,
        block.rating[rows],
        block.cat_share[rows, cats],
        block.cat_share_raw[rows, cats],
        block.cat_share[rows, cats] / np.maximum(world.cat_share[cats], 1e-6),
        np.minimum((u_last - block.cat_last[rows, cats]) / DAY, 1e5),
        world.cat_share[cats],
    ]
    when, device = context.when[rows], context.device[rows]
    creators = world.item_creator[items]
    price = world.item_log_price[items]
    day = weekday(when)
    out += [
        (when % DAY) // HOUR,
        day,
        device,
        world.daypart_lift[items, daypart(when)],
        world.weekday_lift[items, day],
        world.device_lift[items, device],
        np.where(when - u_last <= SESSION_GAP, block.session_depth[rows], 0.0),
        world.creator_log_pop[creators],
        world.creator_log_followers[creators],
        world.creator_reputation[creators],
        price,
        price - block.price_mean[rows],
        world.item_log_stock[items],
    ]
    if counts is None:
        counts = world.counts(items, when=when)
    out += _counter_columns(counts, world.engagement_prior)
    out.append(_interest_tags(world, rows, items, context))
    out.append(np.zeros(len(rows)) if context.segment is None else context.segment[rows])
    return np.column_stack([np.asarray(c, dtype=np.float32) for c in out])


def best_generator(features: np.ndarray) -> list[str]:
    """For explanations: the generator that ranked each candidate highest among its candidates
    ("" when none scored it), read off ``featurize``'s columns: the scores, then the ranks."""
    scored = features[:, [SCORED.index(name) for name in RANKED]] > 0
    ranks = np.where(scored, features[:, len(SCORED) : len(SCORED) + len(RANKED)], np.inf)
    names = np.array([*RANKED, ""], dtype=object)
    best = np.where(np.isfinite(ranks.min(axis=1)), ranks.argmin(axis=1), len(RANKED))
    return names[best].tolist()
