"""Ranking a page under an experiment's treatment: the variant's ranker, or two rankers interleaved."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from profiles.models import Shopper
from ranking import serving
from ranking.interleave import team_draft
from ranking.policy import Policy
from ranking.registry import ranker_version
from ranking.treatment import Treatment

logger = logging.getLogger(__name__)


@dataclass
class TreatedPage:
    ranked: serving.Ranked | None
    teams: dict[int, str]  # item → "a" / "b" on an interleaved page; empty otherwise
    shaped: bool  # whether the treatment's ranking shaped the page (not a fallback)


def rank_treated(
    *,
    shopper: Shopper,
    exclude: set[int],
    size: int,
    policy: Policy,
    first_page: bool,
    device: str,
    treatment: Treatment,
    seed: str,
) -> TreatedPage:
    """``serving.rank`` with the treatment's ranker (``None``: the active one) or, for an
    interleaving, both rankers' pages merged by team draft (``seed`` makes the coin flips of one
    page repeatable). A variant's model that cannot be served gives the active model's page, not
    counted as shaped by the treatment."""
    common = dict(shopper=shopper, exclude=exclude, size=size, policy=policy, first_page=first_page, device=device)
    if treatment.interleave is None:
        ranker = ranker_version(treatment.ranker)
        if treatment.ranker and ranker is None:
            logger.error("ranker %s of %s cannot be served; the active model ranks", treatment.ranker, treatment.label)
            return TreatedPage(serving.rank(**common, treatment=treatment), {}, shaped=False)  # type: ignore[arg-type]
        ranked = serving.rank(**common, ranker=ranker, treatment=treatment)  # type: ignore[arg-type]
        return TreatedPage(ranked, {}, shaped=ranked is not None)
    rankers = [ranker_version(version) for version in treatment.interleave]
    if rankers[0] is None or rankers[1] is None:
        logger.error("an interleaved ranker of %s cannot be served; the active model ranks", treatment.label)
        return TreatedPage(serving.rank(**common, treatment=treatment), {}, shaped=False)  # type: ignore[arg-type]
    page_a, page_b = (serving.rank(**common, ranker=r, treatment=treatment) for r in rankers)  # type: ignore[arg-type]
    if page_a is None or page_b is None:
        return TreatedPage(page_a or page_b, {}, shaped=False)
    slot_a = {s.candidate.item: s for s in page_a.slots}
    slot_b = {s.candidate.item: s for s in page_b.slots}
    merged = team_draft(list(slot_a), list(slot_b), size, random.Random(seed))
    teams = dict(merged)
    ranked = serving.Ranked(
        slots=[(slot_a if team == "a" else slot_b)[item] for item, team in merged],
        # Only team a's rows are logged: training reads rows of one model version.
        features={item: page_a.features[item] for item, team in merged if team == "a"},
        version=page_a.version,
        precomputed=page_a.precomputed,
        because={**page_b.because, **page_a.because},
    )
    return TreatedPage(ranked, teams, shaped=True)
