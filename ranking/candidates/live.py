"""Live candidate sources: what the world, fitted at training time, cannot know.

    followed   newest posts of creators the shopper follows
    interest   most engaging posts in the interests picked at onboarding
    similar    newest posts sharing a tag, brand or creator with what the shopper is drawn to right
               now (the real-time affinities the event consumer keeps): new items with no
               interactions yet reach the shoppers they resemble, within the session
    fresh      the newest posts of the shop (exploration)

Each source is one small function with its own budget, reading through
``content.selectors.published`` (the catalog's fresh list too), so that none proposes what may not
be served, such as a blocked creator's post. A source that fails is skipped (logged) and the page
fills from the others; personal sources are skipped without personalization consent.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q

from content.selectors import published
from feedsite import realtime
from profiles.events import state
from profiles.models import Follow, Interest, Shopper
from ranking.catalog import Catalog

logger = logging.getLogger(__name__)

# Affinity dimensions a "similar" query looks at: the shopper's strongest few, right now.
SIMILAR_DIMENSIONS = 5
# Rare tags can make "newest with this tag" walk far; past this the source is skipped for the page.
SIMILAR_TIMEOUT_MS = 50


@dataclass(frozen=True)
class Picks:
    """What the shopper chose themselves: creators they follow, interests picked at onboarding."""

    creators: list[int] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)


NO_PICKS = Picks()


@dataclass(frozen=True)
class LiveSource:
    name: str  # the candidate source a card records (and its reason)
    budget: int
    personal: bool
    fetch: Callable[[Shopper, Catalog, Picks, int], list[int]]


def shopper_picks(shopper: Shopper) -> Picks:
    """The shopper's follows and interests, in one query (most shoppers have neither)."""
    picks = Picks()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 'creator', creator_id FROM {Follow._meta.db_table} WHERE shopper_id = %s "
            f"UNION ALL SELECT 'tag', tag_id FROM {Interest._meta.db_table} WHERE shopper_id = %s",
            [shopper.pk, shopper.pk],
        )
        for kind, pk in cursor.fetchall():
            (picks.creators if kind == "creator" else picks.tags).append(pk)
    return picks


# Followed creators and interests are read first, as lists (``shopper_picks``): most shoppers
# have none, and a subquery would leave PostgreSQL walking every published item to find nothing.
def followed(shopper: Shopper, snapshot: Catalog, picks: Picks, budget: int) -> list[int]:
    if not picks.creators:
        return []
    newest = published().filter(creator_id__in=picks.creators).order_by("-published_at")
    return list(newest.values_list("pk", flat=True)[:budget])


def interest(shopper: Shopper, snapshot: Catalog, picks: Picks, budget: int) -> list[int]:
    if not picks.tags:
        return []
    engaging = published().filter(tags__in=picks.tags).order_by("-engagement")
    return list(engaging.values_list("pk", flat=True)[:budget])


def similar(shopper: Shopper, snapshot: Catalog, picks: Picks, budget: int) -> list[int]:
    affinities: dict[str, float] = {}
    with contextlib.suppress(*realtime.RealtimeUnavailable):
        affinities = state.shopper_affinities(shopper.pk)
    strongest = sorted(
        (dim for dim, weight in affinities.items() if weight > 0 and not dim.startswith("price:")),
        key=affinities.__getitem__,
        reverse=True,
    )[:SIMILAR_DIMENSIONS]
    match = Q()
    for dim in strongest:
        kind, _, raw = dim.partition(":")
        field = {"tag": "tags", "cat": "tags", "brand": "brand_id", "creator": "creator_id"}.get(kind)
        if field and raw.isdigit():
            match |= Q(**{field: int(raw)})
    if not match:
        return []
    newest = published().filter(match).order_by("-published_at").values_list("pk", flat=True)
    with time_limit(SIMILAR_TIMEOUT_MS):
        found = list(newest[: budget * 2])
    return list(dict.fromkeys(found))[:budget]  # a post with two matching tags comes twice


@contextlib.contextmanager
def time_limit(milliseconds: int) -> Iterator[None]:
    """Cancel the queries inside after ``milliseconds`` (PostgreSQL; elsewhere no limit).

    The limit lives in a savepoint, so it ends with the block even inside a longer transaction;
    a cancelled query raises, and ``live_candidates`` skips the source.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = %s", [f"{milliseconds}ms"])
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = DEFAULT")


def fresh(shopper: Shopper, snapshot: Catalog, picks: Picks, budget: int) -> list[int]:
    return snapshot.fresh[:budget]


SOURCES = (
    LiveSource("followed", budget=30, personal=True, fetch=followed),
    LiveSource("interest", budget=60, personal=True, fetch=interest),
    LiveSource("similar", budget=30, personal=True, fetch=similar),
    LiveSource("fresh", budget=30, personal=False, fetch=fresh),
)


def live_candidates(shopper: Shopper, snapshot: Catalog, *, personalized: bool) -> dict[int, str]:
    """Item id → the first source that proposed it, in the order of ``SOURCES``."""
    found: dict[int, str] = {}
    personal = bool(personalized and shopper.pk)
    picks = NO_PICKS
    if personal:
        try:
            picks = shopper_picks(shopper)
        except Exception:  # the followed and interest sources find nothing; the others still propose
            logger.exception("reading the shopper's follows and interests failed; skipped for this request")
    for source in SOURCES:
        if source.personal and not personal:
            continue
        try:
            items = source.fetch(shopper, snapshot, picks, source.budget)
        except Exception:  # a source failing costs its candidates, not the page
            logger.exception("live candidate source %s failed; skipped for this request", source.name)
            continue
        for pk in items:
            found.setdefault(pk, source.name)
    return found
