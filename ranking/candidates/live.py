"""Live candidate sources: what the world, fitted at training time, cannot know.

    followed   newest posts of creators the shopper follows
    interest   most engaging posts in the interests picked at onboarding
    similar    recent posts with few interactions yet most like what the shopper engaged with lately
               (caption words, tags, category, brand, creator: ``ranking.content_index``): new
               items reach the shoppers they resemble, within the session
    fresh      the newest posts of the shop (exploration)

Each source is one small function with its own budget, reading through
``content.selectors.published`` (the catalog's fresh list and content index too), so that none
proposes what may not be served, such as a blocked creator's post. A source that fails is skipped
(logged) and the page fills from the others; personal sources are skipped without personalization
consent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace

from content.selectors import published
from profiles.models import Shopper
from profiles.selectors import follows_and_interests
from ranking.catalog import Catalog

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Picks:
    """What the shopper chose themselves (creators they follow, interests picked at onboarding) and
    what the "similar" source starts from: what they engaged with lately, and what not to propose."""

    creators: list[int] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)
    engaged: Mapping[int, float] = field(default_factory=dict)  # content id → weight (content_index.engaged_items)
    exclude: AbstractSet[int] = frozenset()  # seen or served already: the ranker drops them anyway


NO_PICKS = Picks()


@dataclass(frozen=True)
class LiveSource:
    name: str  # the candidate source a card records (and its reason)
    budget: int
    personal: bool
    fetch: Callable[[Shopper, Catalog, Picks, int], list[int]]


def shopper_picks(shopper: Shopper) -> Picks:
    """The shopper's follows and interests: one query at most (most shoppers have neither)."""
    creators, tags = follows_and_interests(shopper=shopper)
    return Picks(creators=list(creators), tags=list(tags))


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
    return snapshot.content.propose(picks.engaged, budget, exclude=picks.exclude)


def fresh(shopper: Shopper, snapshot: Catalog, picks: Picks, budget: int) -> list[int]:
    return snapshot.fresh[:budget]


SOURCES: tuple[LiveSource, ...] = (
    LiveSource("followed", budget=30, personal=True, fetch=followed),
    LiveSource("interest", budget=60, personal=True, fetch=interest),
    LiveSource("similar", budget=30, personal=True, fetch=similar),
    LiveSource("fresh", budget=30, personal=False, fetch=fresh),
)


def read_picks(shopper: Shopper) -> Picks:
    """``shopper_picks``, failing open: without them the followed and interest sources find nothing."""
    try:
        return shopper_picks(shopper)
    except Exception:
        logger.exception("reading the shopper's follows and interests failed; skipped for this request")
        return NO_PICKS


def live_candidates(
    shopper: Shopper,
    snapshot: Catalog,
    *,
    personalized: bool,
    picks: Picks | None = None,
    engaged: Mapping[int, float] | None = None,
    exclude: AbstractSet[int] = frozenset(),
) -> dict[int, str]:
    """Item id → the first source that proposed it, in the order of ``SOURCES``.

    ``picks``: the shopper's follows and interests when the caller read them (``read_picks``);
    ``engaged``: content id → weight of what the shopper engaged with lately
    (``content_index.engaged_items``); ``exclude``: what they have seen or were served.
    """
    found: dict[int, str] = {}
    personal = bool(personalized and shopper.pk)
    picks = replace(picks or read_picks(shopper), engaged=engaged or {}, exclude=exclude) if personal else NO_PICKS
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
