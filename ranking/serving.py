"""Request-time ranking: one shopper, one page.

    shopper's events (database + the real-time store's recent list: read-your-writes)
      → user block → generator scores → top candidates  ┐
    live sources (followed creators, fresh, interests)  ├→ filter (seen, served, unpublished, out
                                                         ┘  of stock) → features → LightGBM → mix policy

The world (item statistics, neighbour tables) and the model come with the active ranker
(``registry.active_ranker``). With no trained ranker yet, ``rank`` returns ``None`` and the feed
falls back to its popular/fresh ordering.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

import numpy as np
from django.db import connection

from content.models import ContentItem
from feedsite import realtime
from profiles.events import state
from profiles.models import Follow, Interest, Shopper
from ranking.candidates.generators import SOURCE_OF, score_all, top_candidates
from ranking.catalog import catalog
from ranking.features import best_generator, featurize
from ranking.history import EVENT_GRADE, UNKNOWN_ITEM, epoch_sql
from ranking.policy import Candidate, Policy, Slot, arrange
from ranking.registry import Ranker, active_ranker
from ranking.world import World

logger = logging.getLogger(__name__)

# Each live source adds at most this many candidates (their own budget beside the generators' 50).
LIVE_SOURCE_BUDGET = 30
FRESH_DAYS = 14


@dataclass
class Ranked:
    """A page ranked for a shopper: the slots and, for the served-list log, their feature rows."""

    slots: list[Slot]
    features: dict[int, list[float]]
    version: str


def shopper_events(shopper: Shopper, world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The shopper's events as (world item index, time, value, grade), newest included."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT content_id, {epoch_sql('occurred_at')}, value, type FROM profiles_interaction "
            "WHERE shopper_id = %s",
            [shopper.pk],
        )
        rows = list(cursor.fetchall())
    with contextlib.suppress(*realtime.RealtimeUnavailable):
        rows += [(item, ts, None, kind) for item, kind, ts in state.shopper_recent(shopper.pk)]
    unknown = world.item_index.get(UNKNOWN_ITEM, -1)
    return (
        np.fromiter((world.item_index.get(r[0], unknown) for r in rows), np.int64, len(rows)),
        np.fromiter((float(r[1]) for r in rows), np.float64, len(rows)),
        np.fromiter((np.nan if r[2] is None else r[2] for r in rows), np.float32, len(rows)),
        np.fromiter((EVENT_GRADE.get(r[3], 1) for r in rows), np.int8, len(rows)),
    )


def _live_candidates(shopper: Shopper, *, personalized: bool, fresh: list[int]) -> dict[int, str]:
    """Items from followed creators, onboarding interests and fresh items (what the world cannot know)."""
    found: dict[int, str] = {}
    if personalized and shopper.pk:
        published = ContentItem.objects.filter(status=ContentItem.Status.PUBLISHED)
        creators = list(Follow.objects.filter(shopper=shopper).values_list("creator_id", flat=True))
        if creators:
            followed = published.filter(creator_id__in=creators).order_by("-published_at")
            for pk in followed.values_list("pk", flat=True)[:LIVE_SOURCE_BUDGET]:
                found.setdefault(pk, "followed")
        tags = list(Interest.objects.filter(shopper=shopper).values_list("tag_id", flat=True))
        if tags:
            liked = published.filter(tags__in=tags).order_by("-engagement").values_list("pk", flat=True)
            for pk in liked[: LIVE_SOURCE_BUDGET * 2]:
                found.setdefault(pk, "interest")
    for pk in fresh:
        found.setdefault(pk, "fresh")
    return found


def rank(
    *,
    shopper: Shopper,
    exclude: set[int],
    size: int,
    policy: Policy,
    first_page: bool,
    ranker: Ranker | None = None,
) -> Ranked | None:
    """The next ``size`` slots for ``shopper``; ``None`` when no ranker has been trained yet."""
    ranker = ranker or active_ranker()
    if ranker is None:
        return None
    world: World = ranker.extra["world"]
    personalized = shopper.personalization
    nothing = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.float32), np.zeros(0, np.int8))
    # Without consent nothing about the shopper shapes the ranking: an anonymous block.
    events = shopper_events(shopper, world) if personalized else nothing
    block = world.block([events])
    exclude = exclude | {int(world.items[i]) for i in block.seen.indices}
    scores = score_all(world, block)
    rows, items = top_candidates(world, block, scores, world.config.n_per_gen)
    generators = best_generator(world, scores, rows, items)
    source_of = {int(world.items[i]): SOURCE_OF.get(g, "popular") for i, g in zip(items, generators, strict=True)}
    snapshot = catalog()
    try:
        live = _live_candidates(shopper, personalized=personalized, fresh=snapshot.fresh)
    except Exception:  # a live source failing costs its candidates, not the page
        logger.exception("live candidate sources failed; skipped for this request")
        live = {}
    for pk, source in live.items():
        source_of.setdefault(pk, source)
    servable = snapshot.servable
    ids = [pk for pk in source_of if pk not in exclude and pk in servable]
    if not ids:
        return Ranked(slots=[], features={}, version=ranker.version)
    unknown = world.item_index.get(UNKNOWN_ITEM, 0)
    index = np.fromiter((world.item_index.get(pk, unknown) for pk in ids), np.int64, len(ids))
    features = featurize(world, block, scores, np.zeros(len(ids), np.int64), index)
    predicted = ranker.booster.predict(features, num_threads=1)
    candidates = [
        Candidate(
            item=pk,
            source=source_of[pk],
            score=float(score),
            kind=servable[pk].kind,
            content_source=servable[pk].source,
            creator=servable[pk].creator,
            brand=servable[pk].brand,
        )
        for pk, score in zip(ids, predicted, strict=True)
    ]
    slots = arrange(candidates, policy, size=size, first_page=first_page)
    row_of = {pk: n for n, pk in enumerate(ids)}
    return Ranked(
        slots=slots,
        features={s.candidate.item: features[row_of[s.candidate.item]].round(4).tolist() for s in slots},
        version=ranker.version,
    )


def explain(ranker: Ranker, feature_rows: list[list[float]], *, top: int = 3) -> list[list[tuple[str, float]]]:
    """For staff: each row's strongest feature contributions (LightGBM ``pred_contrib``)."""
    if not feature_rows:
        return []
    contrib = ranker.booster.predict(np.asarray(feature_rows, np.float32), pred_contrib=True, num_threads=1)
    out = []
    for row in contrib:
        order = np.argsort(-np.abs(row[:-1]))[:top]
        out.append([(ranker.features[j], round(float(row[j]), 3)) for j in order])
    return out
