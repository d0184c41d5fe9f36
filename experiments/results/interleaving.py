"""Team-draft interleaving credit: which of the two rankers each shopper preferred.

An interleaved page (``FeedRequest.variant`` holds ``"<experiment>/interleaved"``) records in
``features["teams"]``, aligned with ``items``, which ranker placed each card: ``"a"`` the control
variant's ranker, ``"b"`` the other one's. A shopper's clicks and carts on those pages
(``Interaction.request_id`` is the page's ``request_id``, ``content`` the card) credit the card's
team: an open or a product click ``CLICK_CREDIT`` each, an add-to-cart ``CART_CREDIT``. Each card
credits each kind of event once (a second open of the same card on the same page says nothing new),
so one enthusiastic tap cannot outweigh a shopper's other choices.

The unit is the shopper: over all their interleaved pages, the team with more credit is the one
they preferred; equal credit is a tie, and shoppers who clicked nothing take no part (they are
counted apart, as ``no_credit``). ``experiments.stats.preference`` turns the wins into a share
with its interval.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from experiments.models import Experiment
from profiles.events.models import Interaction
from ranking.models import FeedRequest

# A cart is worth two clicks: rarer and closer to a sale, but one cart should not silence a
# shopper's several clicks the other way.
CLICK_CREDIT = {"open": 1.0, "product_click": 1.0}
CART_CREDIT = {"add_to_cart": 2.0}
CREDIT = CLICK_CREDIT | CART_CREDIT
TEAMS = ("a", "b")
# Request ids per query when reading the pages' events.
CHUNK = 5000


@dataclass(frozen=True)
class Credit:
    """Shoppers who preferred ranker A (the control's), B, neither (a tie), or clicked nothing."""

    wins_a: int
    wins_b: int
    ties: int
    no_credit: int
    pages: int

    @property
    def shoppers(self) -> int:
        return self.wins_a + self.wins_b + self.ties + self.no_credit


def interleaving_label(experiment: Experiment) -> str:
    return f"{experiment.name}/interleaved"


def interleaving_credit(experiment: Experiment, *, end: datetime) -> Credit:
    """The preferences of the shoppers served ``experiment``'s interleaved pages between its start
    and ``end``, from their events before ``end``. Pages without a ``teams`` list aligned with
    their items (or without a shopper) are left out."""
    start = experiment.started_at
    if start is None:
        return Credit(0, 0, 0, 0, 0)
    label = interleaving_label(experiment)
    # (page, card) → (shopper served, team); the page's shopper is the one whose choice it was.
    teams: dict[tuple[str, int], tuple[int, str]] = {}
    shoppers: set[int] = set()
    pages = 0
    rows = FeedRequest.objects.filter(
        served_at__gte=start, served_at__lt=end, shopper__isnull=False, variant__contains=label
    ).values_list("request_id", "shopper_id", "items", "features", "variant")
    for request_id, shopper_id, items, features, variant in rows.iterator(chunk_size=2000):
        page_teams = (features or {}).get("teams")
        if label not in variant.split(",") or not isinstance(page_teams, list) or len(page_teams) != len(items):
            continue
        pages += 1
        shoppers.add(shopper_id)
        for item, team in zip(items, page_teams, strict=True):
            if team in TEAMS:
                teams[(str(request_id), int(item))] = (shopper_id, team)
    credit: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(TEAMS, 0.0))
    request_ids = sorted({token for token, _ in teams})
    for first in range(0, len(request_ids), CHUNK):
        events = set(
            Interaction.objects.filter(
                request_id__in=request_ids[first : first + CHUNK],
                type__in=CREDIT,
                occurred_at__gte=start,
                occurred_at__lt=end,
            ).values_list("request_id", "content_id", "type")
        )
        for token, content_id, kind in events:
            served = teams.get((token, content_id))
            if served is not None:
                shopper_id, team = served
                credit[shopper_id][team] += CREDIT[kind]
    wins_a = wins_b = ties = 0
    for by_team in credit.values():
        a, b = by_team["a"], by_team["b"]
        wins_a += a > b
        wins_b += b > a
        ties += a == b
    return Credit(wins_a=wins_a, wins_b=wins_b, ties=ties, no_credit=len(shoppers) - len(credit), pages=pages)
