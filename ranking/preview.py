"""What a shopper's first feed page would be now, explained: for admin's previews (the active
model's, and an experiment variant's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from content.models import ContentItem
from profiles.models import Shopper
from ranking.policy import policy_for
from ranking.registry import ranker_version
from ranking.serving import explain
from ranking.treated import rank_treated
from ranking.treatment import Treatment

PREVIEW_SIZE = 20


@dataclass
class Preview:
    version: str | None  # the model that ranked (None: no ranker could)
    rows: list[dict[str, Any]] = field(default_factory=list)
    interleaved: bool = False


def shopper_named(raw: str) -> Shopper | None:
    """The shopper a staff member typed: their id or their dataset id."""
    if not raw:
        return None
    return Shopper.objects.filter(Q(external_id=raw) | Q(pk=int(raw) if raw.isdigit() else None)).first()


def preview_page(shopper: Shopper, treatment: Treatment) -> Preview:
    """The first page ``shopper`` would get under ``treatment``, each card with its source, mix
    rule, score, top feature contributions and, interleaved, its team. Nothing is logged."""
    treated = rank_treated(
        shopper=shopper,
        exclude=set(),
        size=PREVIEW_SIZE,
        policy=policy_for(treatment.policy),
        first_page=True,
        device="unknown",
        treatment=treatment,
        seed=f"preview:{shopper.pk}",
    )
    ranked = treated.ranked
    if ranked is None:
        return Preview(version=None)
    ranker = ranker_version(ranked.version)  # the model that ranked: the treatment's or the active one
    # On an interleaved page only team a's cards carry feature rows.
    logged = [s for s in ranked.slots if s.candidate.item in ranked.features]
    rows_of = [ranked.features[s.candidate.item] for s in logged]
    contributions = explain(ranker, rows_of) if ranker is not None and rows_of else []
    explained = {s.candidate.item: top for s, top in zip(logged, contributions, strict=True)}
    items = [s.candidate.item for s in ranked.slots]
    captions = dict(ContentItem.objects.filter(pk__in=items).values_list("pk", "caption"))
    rows = [
        {
            "position": position,
            "item": slot.candidate.item,
            "caption": captions.get(slot.candidate.item, ""),
            "source": slot.candidate.source,
            "rule": slot.rule,
            "score": round(slot.candidate.score, 3),
            "team": treated.teams.get(slot.candidate.item, ""),
            "features": ", ".join(f"{name} {value:+.2f}" for name, value in explained.get(slot.candidate.item, [])),
        }
        for position, slot in enumerate(ranked.slots)
    ]
    return Preview(version=ranked.version, rows=rows, interleaved=bool(treated.teams))
