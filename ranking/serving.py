"""Request-time ranking: one shopper, one page.

    the shopper's events (kept with their candidate list, or the database; + the real-time store's
                          recent list: read-your-writes) → user block
    candidate list: precomputed (``precompute``) + neighbours of what the shopper did since,
                    or computed now over the whole universe (and stored for the next page)
    + live sources (followed creators, onboarding interests, new items like what the shopper engaged
      with lately, fresh items: ``candidates.live``)
      → filter (seen, served, unpublished, out of stock) → features of these items only (their and
        their creators' counters from the real-time store, decayed to the request time; the world's
        where the store has none) → LightGBM
      → mix policy (quotas, spacing, exploration, pacing, merchandising triggers) → slots

The world (item statistics, neighbour tables) and the model come with the active ranker
(``registry.active_ranker``). With no trained ranker yet, ``rank`` returns ``None`` and the feed
falls back to its popular/fresh ordering.

Fixed costs per request, whatever the history: one query for the shopper's follows and interests
(none when they came with authentication: ``profiles.selectors.follows_and_interests``) and one
per live source that has something to look for; one Redis round trip for the candidate list with
the recent list, one for the candidates' counters with the uptake of exploration candidates
(tests/ranking/test_serving.py counts both). The shopper's events come with their
candidate list; only a request that must build the list, or finds it too old to tell what is new,
reads them from the database (one more query). So does a request whose shopper engaged with items
whose tokens this process has not cached yet (older than the content index:
``ranking.content_index``), once.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import NamedTuple

import numpy as np
from django.utils import timezone

from content import selectors as content_selectors
from feedsite import realtime
from profiles.events import state
from profiles.events.models import Interaction
from profiles.models import Shopper
from ranking import precompute
from ranking.candidates.generators import SOURCE_OF, Scores, because_of, score_all, score_at, top_candidates
from ranking.candidates.live import NO_PICKS, Picks, live_candidates, read_picks
from ranking.catalog import ItemInfo, catalog
from ranking.content_index import engaged_items
from ranking.features import Context, best_generator, featurize
from ranking.history import DEVICE_CODE, UNKNOWN_ITEM
from ranking.intent import intent_lift
from ranking.policy import EXPLORATION_SOURCES, Candidate, Policy, Slot, arrange, arrange_context
from ranking.registry import Ranker, active_ranker
from ranking.treatment import DEFAULT, Treatment
from ranking.world import Counts, UserBlock, World

logger = logging.getLogger(__name__)

# Neighbours of what the shopper did since their candidate list was computed.
SESSION_BUDGET = 30
# Engagement events that count as uptake of an item shown (for exploration's early rates).
UPTAKE = ("n:open", "n:like", "n:share", "n:comment", "n:product_click", "n:add_to_cart")


@dataclass
class Ranked:
    """A page ranked for a shopper: the slots and, for the served-list log, their feature rows."""

    slots: list[Slot]
    features: dict[int, list[float | None]]
    version: str
    precomputed: bool = False
    # A collaborative slot's item → the item of the shopper's history that proposed it most ("Because you liked …").
    because: dict[int, Because] = field(default_factory=dict)


class Because(NamedTuple):
    """The item of a shopper's history that a collaborative card is there for."""

    item: int
    liked: bool  # engaged with (liked, shared, carted…: grade ≥ 2), not only viewed


def shopper_events(shopper: Shopper, world: World) -> precompute.Events:
    """The shopper's events as (world item index, time, value, grade), newest included."""
    return precompute.events_of(world, [shopper.pk])[0]


def _events_and_list(
    world: World, version: str, shopper: Shopper
) -> tuple[precompute.Events, precompute.CandidateList | None, precompute.Recent | None, dict[str, float]]:
    """The shopper's events (from their stored list and recent list when it can tell, else the
    database too), their stored list, and the recent list and search intent read with it."""
    stored, recent, intent = precompute.load_with_recent(shopper.pk, version)
    if stored is not None and recent is not None and (events := stored.events_now(world, recent)) is not None:
        return events, stored, recent, intent
    events = precompute.events_of(world, [shopper.pk], recent=None if recent is None else {shopper.pk: recent})[0]
    if stored is not None and recent is not None:  # keep them with the list, so the next page need not ask
        precompute.store({shopper.pk: stored.with_events(events, recent)})
    return events, stored, recent, intent


def session_neighbours(world: World, events: precompute.Events, *, after: float) -> np.ndarray:
    """World item indexes most similar (item cosine) to what the shopper engaged with after ``after``."""
    items, times, _, grades = events
    recent = items[(times > after) & (grades > 0) & (items >= 0)]
    pos = world.universe_pos[recent]
    pos = pos[pos >= 0]
    if not len(pos):
        return np.zeros(0, np.int64)
    weights = np.asarray(world.cosine[pos].sum(axis=0)).ravel()
    top = np.argsort(-weights)[:SESSION_BUDGET]
    return world.universe[top[weights[top] > 0]]


def _world_candidates(
    world: World,
    version: str,
    shopper_id: int | None,
    events: precompute.Events,
    block: UserBlock,
    stored: precompute.CandidateList | None,
    recent: precompute.Recent | None,
) -> tuple[np.ndarray, Scores, np.ndarray | None, bool]:
    """Candidate item indexes and the generator scores featurize needs for them.

    Returns (items, scores, columns, precomputed): ``columns`` are the universe positions the scores
    cover when they were computed for the candidates only. A stored list whose scores are those of
    the shopper's events as they are is taken whole; one the shopper has done something since gets
    the neighbours of what they did, is scored again and stored so (the next page takes it whole).
    """
    if stored is None:
        scores = score_all(world, block)
        _, items = top_candidates(world, block, scores, world.config.n_per_gen)
        columns = precompute.columns_of(world, items)
        kept = {name: np.asarray(matrix)[:, columns] for name, matrix in scores.items()}
        precompute.store({shopper_id: precompute.CandidateList.built_now(version, events, items, recent, kept)})
        return items, scores, None, False
    if (scores_then := stored.scores_for(events)) is not None:
        return stored.items, scores_then, precompute.columns_of(world, stored.items), True
    items = np.union1d(stored.items, session_neighbours(world, events, after=stored.events_until))
    columns = precompute.columns_of(world, items)
    scores = score_at(world, block, columns)
    if recent is not None:
        rescored = precompute.CandidateList.built_now(version, events, items, recent, scores)
        precompute.store({shopper_id: replace(rescored, built_at=stored.built_at)})
    return items, scores, columns, True


def _recent_product_views(shopper: Shopper, policy: Policy) -> list[tuple[int, float]]:
    """(product, epoch seconds) of the shopper's product clicks within the policy's trigger window."""
    if not policy.trigger_hours:
        return []
    since = timezone.now() - timedelta(hours=policy.trigger_hours)
    rows = Interaction.objects.filter(
        shopper=shopper, type="product_click", product__isnull=False, occurred_at__gte=since
    ).values_list("product_id", "occurred_at")
    return [(product, at.timestamp()) for product, at in rows]


def _counts_and_uptake(
    world: World, ids: list[int], index: np.ndarray, creators: list[int | None], explorers: list[int], when: float
) -> tuple[Counts, dict[int, tuple[float, float]]]:
    """The candidates' counters as of ``when``, and (impressions, engagements) so far of the
    ``explorers`` (exploration's early rates): one round trip.

    Counters are the real-time store's where it has them, else the world's decayed to ``when`` (an
    item with no counted event within the state's TTL, a history imported without the consumer),
    and all the world's when the store is down; the uptake is then empty.
    """
    counts = world.counts(index, when=when)
    with contextlib.suppress(*realtime.RealtimeUnavailable):
        known = sorted({creator for creator in creators if creator is not None})
        fresh = state.ranking_counters(ids, known, now=when, totals_of=explorers, totals=["n:impression", *UPTAKE])
        counts.item[fresh.item_found] = fresh.items[fresh.item_found]
        row_of = {creator: n for n, creator in enumerate(known)}
        rows = np.fromiter((-1 if c is None else row_of[c] for c in creators), np.int64, len(creators))
        found = rows >= 0
        found[found] = fresh.creator_found[rows[found]]
        counts.creator[found] = fresh.creators[rows[found]]
        uptake = {pk: (t["n:impression"], sum(t[name] for name in UPTAKE)) for pk, t in fresh.totals.items()}
        return counts, uptake
    return counts, {}


def rank(
    *,
    shopper: Shopper,
    exclude: set[int],
    size: int,
    policy: Policy,
    first_page: bool,
    ranker: Ranker | None = None,
    device: str = "unknown",
    when: float | None = None,
    treatment: Treatment = DEFAULT,
) -> Ranked | None:
    """The next ``size`` slots for ``shopper``; ``None`` when no ranker has been trained yet.

    ``device`` (a device class) and ``when`` (Unix seconds; default now) are the request's context;
    ``treatment`` what an experiment changes (its ranker is the caller's to pass as ``ranker``).
    """
    ranker = ranker or active_ranker()
    if ranker is None:
        return None
    world: World = ranker.extra["world"]
    now = time.time() if when is None else when
    history = _history_of(world, ranker.version, shopper)
    pool = _pool(world, ranker.version, shopper, history, exclude, now, live=treatment.on("live"))
    if not pool.ids:
        return Ranked(slots=[], features={}, version=ranker.version, precomputed=pool.precomputed)
    segment = world.shopper_segment.get(shopper.pk, 0) if history.owner is not None else 0
    scored = _score(ranker, world, history.block, pool, device, now, segment)
    intent = history.intent if treatment.on("intent") else {}
    candidates = _candidates(pool, scored, policy, intent, treatment.score_shifts)
    if not treatment.on("exploration"):
        policy = replace(policy, exploration_share=0.0)
    views = _recent_product_views(shopper, policy) if _personalized(shopper) else []
    context = arrange_context(policy, candidates, recent_product_views=views)
    slots = arrange(candidates, policy, size=size, first_page=first_page, context=context)
    row_of = {pk: n for n, pk in enumerate(pool.ids)}
    return Ranked(
        slots=slots,
        features={s.candidate.item: _loggable(scored.features[row_of[s.candidate.item]]) for s in slots},
        version=ranker.version,
        precomputed=pool.precomputed,
        because=_because(world, history.block, history.events, slots, pool.index, row_of),
    )


class _History(NamedTuple):
    """What ranking knows of the shopper's past: their events, stored candidate list, recent list."""

    events: precompute.Events
    stored: precompute.CandidateList | None
    recent: precompute.Recent | None
    block: UserBlock
    owner: int | None  # whose candidate list it is (``None``: the shared anonymous one)
    intent: dict[str, float]  # search intent (``ranking.intent``), read with the recent list


def _personalized(shopper: Shopper) -> bool:
    """Without consent nothing about the shopper shapes the ranking: the shared anonymous list. Nor
    for a visitor not stored yet (``shopper_for_request`` on a read): there is nothing about them."""
    return shopper.personalization and shopper.pk is not None


def _history_of(world: World, version: str, shopper: Shopper) -> _History:
    if _personalized(shopper):
        events, stored, recent, intent = _events_and_list(world, version, shopper)
        return _History(events, stored, recent, world.block([events]), shopper.pk, intent)
    events = precompute.NO_EVENTS
    return _History(events, precompute.load(None, version), None, world.block([events]), None, {})


@dataclass
class _Pool:
    """The servable candidates, their world indexes and snapshot entries, and what scoring needs."""

    ids: list[int]
    proposed: dict[int, str]  # item → the live source that proposed it ("": a world candidate)
    index: np.ndarray
    infos: list[ItemInfo]
    picks: Picks
    scores: Scores
    columns: np.ndarray | None
    precomputed: bool


def _pool(
    world: World, version: str, shopper: Shopper, history: _History, exclude: set[int], now: float, *, live: bool = True
) -> _Pool:
    """The world's candidates and the live sources' (unless ``live`` is off), less the seen, the
    excluded and the unservable."""
    events, stored, recent, block, owner, _ = history
    items, scores, columns, precomputed = _world_candidates(world, version, owner, events, block, stored, recent)
    exclude = exclude | set(world.items[block.seen.indices].tolist())
    # A world candidate's source is the generator that ranked it best (read off its features: _candidates);
    # a live one's is the live source that proposed it.
    proposed = dict.fromkeys(world.items[items].tolist(), "")
    personalized = _personalized(shopper)
    engaged_lately = engaged_items(world, events, recent, now=now) if personalized else {}
    snapshot = catalog()
    picks = read_picks(shopper) if personalized and shopper.pk else NO_PICKS
    proposed_live = (
        live_candidates(
            shopper, snapshot, personalized=personalized, picks=picks, engaged=engaged_lately, exclude=exclude
        )
        if live
        else {}
    )
    for pk, source in proposed_live.items():
        proposed.setdefault(pk, source)
    servable = snapshot.servable
    ids = [pk for pk in proposed if pk in servable and pk not in exclude]
    unknown = world.item_index.get(UNKNOWN_ITEM, 0)
    index = np.fromiter((world.item_index.get(pk, unknown) for pk in ids), np.int64, len(ids))
    infos = [servable[pk] for pk in ids]
    return _Pool(ids, proposed, index, infos, picks, scores, columns, precomputed)


class _Scored(NamedTuple):
    features: np.ndarray  # a row per candidate of the pool
    predicted: list[float]
    uptake: dict[int, tuple[float, float]]  # exploration candidates' (impressions, engagements)


def _score(
    ranker: Ranker, world: World, block: UserBlock, pool: _Pool, device: str, now: float, segment: int
) -> _Scored:
    """The candidates' feature rows and the model's scores of them, with the explorers' uptake;
    ``segment``: the shopper's segment code (0: none, or not personalized)."""
    # Only live sources explore (no generator's source is an exploration source): known before scoring.
    explorers = [pk for pk in pool.ids if pool.proposed[pk] in EXPLORATION_SOURCES]
    creators = [info.creator for info in pool.infos]
    counts, uptake = _counts_and_uptake(world, pool.ids, pool.index, creators, explorers, now)
    asked = Context.at(now, DEVICE_CODE.get(device, 0), interests=world.tag_columns(pool.picks.tags), segment=segment)
    rows = np.zeros(len(pool.ids), np.int64)
    features = featurize(
        world, block, pool.scores, rows, pool.index, context=asked, columns=pool.columns, counts=counts
    )
    return _Scored(features, ranker.predict(features).tolist(), uptake)


def _candidates(
    pool: _Pool, scored: _Scored, policy: Policy, intent: dict[str, float], shifts: dict[str, float]
) -> list[Candidate]:
    """The scored candidates as the mix policy takes them, each with its source; the shopper's
    search ``intent`` lifts the scores of its brands' and creators' items (``ranking.intent``), and
    an experiment's source weights shift each source's scores (``Treatment.score_shifts``)."""
    none = (0.0, 0.0)
    # A tag is looked up only when a rule matches on it: one query then, none for most policies.
    tags = content_selectors.tags_among(pool.ids, policy.tag_slugs) if policy.tag_slugs else {}
    untagged: frozenset[str] = frozenset()
    proposed, uptake = pool.proposed, scored.uptake
    generators = best_generator(scored.features)
    # Positional (the fields' order up to ``tags``, then the uptake): a page builds ~300, and
    # keywords cost twice as much.
    candidates = [
        Candidate(
            pk,
            proposed[pk] or SOURCE_OF.get(generator, "popular"),
            score + intent_lift(intent, brand=info.brand, creator=info.creator) if intent else score,
            info.kind,
            info.source,
            info.creator,
            info.brand,
            info.products,
            tags.get(pk, untagged),
            *uptake.get(pk, none),
        )
        for pk, generator, score, info in zip(pool.ids, generators, scored.predicted, pool.infos, strict=True)
    ]
    if not shifts:
        return candidates
    for candidate in candidates:
        candidate.score += shifts.get(candidate.source, 0.0)
    return [c for c in candidates if c.score > -math.inf]


def _because(
    world: World,
    block: UserBlock,
    events: precompute.Events,
    slots: list[Slot],
    index: np.ndarray,
    row_of: dict[int, int],
) -> dict[int, Because]:
    """The history item each collaborative slot names ("Because you liked …"): the best of its
    anchors (``because_of``) not named by a slot above it; five cards "Because you viewed the same
    serum" say less than five reasons. ``index``: the candidates' world item indexes, by their row
    ``row_of`` an item id."""
    collaborative = [s.candidate.item for s in slots if s.candidate.source == "collaborative"]
    if not collaborative:
        return {}
    anchors = because_of(world, block, index[[row_of[pk] for pk in collaborative]])
    because: dict[int, Because] = {}
    named: set[int] = set()
    for pk, choices in zip(collaborative, anchors, strict=True):
        anchor = next((a for a in choices if a not in named), None)
        if anchor is not None:
            named.add(anchor)
            grade = int(events[3][events[0] == anchor].max(initial=0))
            because[pk] = Because(item=int(world.items[anchor]), liked=grade >= 2)
    return because


def _loggable(row: np.ndarray) -> list[float | None]:
    """A feature row for the served-list log (JSON): 4 decimals, a missing value (NaN) as null.

    Rounded as doubles: a float32 rounded to 4 decimals is still a float32 (0.1234 is
    0.12340000271797180 to JSON), which makes the log's rows over twice as long and their encoding
    the slowest part of writing them.
    """
    return [None if value != value else value for value in row.astype(np.float64).round(4).tolist()]


def explain(ranker: Ranker, feature_rows: list[list[float | None]], *, top: int = 3) -> list[list[tuple[str, float]]]:
    """For staff: each row's strongest feature contributions (LightGBM ``pred_contrib``)."""
    if not feature_rows:
        return []
    matrix = np.array([[np.nan if v is None else v for v in row] for row in feature_rows], np.float32)
    contrib = ranker.booster.predict(matrix, pred_contrib=True, num_threads=1)
    out = []
    for row in contrib:
        order = np.argsort(-np.abs(row[:-1]))[:top]
        out.append([(ranker.features[j], round(float(row[j]), 3)) for j in order])
    return out
