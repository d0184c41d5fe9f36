"""Team-draft interleaving: two rankers' orders merged into one page, each card credited to a team.

Radlinski, Kurup and Joachims (2008): at each turn the team with fewer picks (a coin when even)
takes its ranker's best item not yet on the page. Clicks and carts on a team's cards are its
credit; over many shoppers the share of wins is a preference between the rankers that needs far
less traffic than an A/B test (``experiments`` reads the credit).
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from typing import TypeVar

T = TypeVar("T", bound=Hashable)

TEAMS = ("a", "b")


def team_draft(a: Sequence[T], b: Sequence[T], size: int, rng: random.Random) -> list[tuple[T, str]]:
    """Up to ``size`` items from ``a`` and ``b`` in team-draft order, each with its team "a" or "b".

    When one list runs out the other fills the page, so a page is short only when both are.
    """
    page: list[tuple[T, str]] = []
    taken: set[T] = set()
    at = {"a": 0, "b": 0}
    picks = {"a": 0, "b": 0}
    lists = {"a": a, "b": b}

    def next_of(team: str) -> T | None:
        items = lists[team]
        while at[team] < len(items) and items[at[team]] in taken:
            at[team] += 1
        return items[at[team]] if at[team] < len(items) else None

    while len(page) < size:
        offer = {team: next_of(team) for team in TEAMS}
        open_teams = [team for team in TEAMS if offer[team] is not None]
        if not open_teams:
            break
        if len(open_teams) == 1:
            team = open_teams[0]
        elif picks["a"] != picks["b"]:
            team = "a" if picks["a"] < picks["b"] else "b"
        else:
            team = "a" if rng.random() < 0.5 else "b"
        item = offer[team]
        assert item is not None
        taken.add(item)
        picks[team] += 1
        page.append((item, team))
    return page
