"""What an experiment may change in one shopper's feed: a ``Treatment``.

Ranking owns the vocabulary (a mix policy, a ranker version, candidate-source weights, feature
switches, two rankers interleaved); experiments decide who gets what through
``signals.treatment_assignment`` and are told which pages a treatment shaped through
``signals.page_served``. Every field left at its default means "as for everyone else".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from feedsite import caches
from feedsite.dispatch import answers
from profiles.models import Shopper
from ranking import signals
from ranking.candidates.generators import SOURCE_OF
from ranking.models import MixPolicy
from ranking.timed_cache import TimedCache

# Treatments change when a marketer starts, stops or ramps an experiment; serving asks again at most this often.
ASSIGNMENT_CACHE_SECONDS = 30.0

# Switches a variant may turn off, and what each does when off.
SWITCHES: Mapping[str, str] = {
    "intent": "the shopper's search intent no longer lifts its brands' and creators' items",
    "exploration": "no exploration slots (new items and creators)",
    "live": "no live sources (followed creators, interests, fresh items): world candidates only",
    "because": 'no "Because you liked …" explanations on cards',
}
# Candidate sources a variant may weigh: the generators' and the live sources'.
SOURCES = frozenset(SOURCE_OF.values()) | {"followed", "interest", "fresh", "similar"}


@dataclass(frozen=True, slots=True)
class Treatment:
    policy: str | None = None  # a MixPolicy name; None = the default policy
    ranker: str | None = None  # a RankerModel version; None = the active model
    # Candidate source → weight: a candidate's score is shifted by ln(weight) (weight 0: never served).
    source_weights: tuple[tuple[str, float], ...] = ()
    switches_off: frozenset[str] = frozenset()
    # Two ranker versions (None = the active model) merged by team-draft interleaving (``ranking.interleave``).
    interleave: tuple[str | None, str | None] | None = None
    # "experiment/variant" of every experiment that gave this shopper a treatment.
    labels: tuple[str, ...] = ()

    def on(self, switch: str) -> bool:
        return switch not in self.switches_off

    @property
    def score_shifts(self) -> dict[str, float]:
        """Source → the shift of its candidates' scores (``-inf``: dropped)."""
        return {s: (math.log(w) if w > 0 else -math.inf) for s, w in self.source_weights}

    @property
    def label(self) -> str:
        return ",".join(self.labels)

    def merged(self, other: Treatment) -> Treatment:
        """``self`` with what ``other`` sets (experiments in different layers combine)."""
        return Treatment(
            policy=other.policy or self.policy,
            ranker=other.ranker or self.ranker,
            source_weights=tuple({**dict(self.source_weights), **dict(other.source_weights)}.items()),
            switches_off=self.switches_off | other.switches_off,
            interleave=other.interleave or self.interleave,
            labels=self.labels + other.labels,
        )


DEFAULT = Treatment()
# ``signals.treatment_assignment``'s answer: the treatment of a shopper (may query the database).
Assign = Callable[[Shopper], Treatment]


# The answer to ``signals.treatment_assignment`` (``None``, nothing to assign, is worth keeping too).
_assignment: TimedCache[str, Assign | None] = TimedCache(seconds=ASSIGNMENT_CACHE_SECONDS, max_size=1)


clear_cache = _assignment.forget
caches.register("ranking.treatment", _assignment.forget)


def _assign() -> Assign | None:
    """The first answer to ``signals.treatment_assignment``, asked once per ``ASSIGNMENT_CACHE_SECONDS``."""

    def ask(_: object) -> dict[str, Assign | None]:
        found = next((a for a in answers(signals.treatment_assignment, MixPolicy) if a is not None), None)
        return {"assign": found}

    return _assignment.get_many(["assign"], ask)["assign"]


def treatment_for(shopper: Shopper) -> Treatment:
    """The treatment that serves ``shopper`` now: ``DEFAULT`` unless an experiment gives them one.

    No query while no experiment runs (the answer is cached per process); a started, stopped or
    ramped experiment reaches every process within ``ASSIGNMENT_CACHE_SECONDS``.
    """
    assign = _assign()
    return DEFAULT if assign is None else assign(shopper)
