"""Which exploration candidate gets an exploration slot: Thompson sampling on early engagement.

An item's engagement rate gets a Beta(1 + engagements, 1 + impressions − engagements) posterior
(a uniform prior updated by what it has been shown and how it was taken up). Each slot draws one
rate per candidate and takes the highest draw: an item with a strong early rate wins most draws,
one with little data still wins some (its posterior is wide), and among items with no data at all
the choice is uniform. The ranker's score plays no part: exploring is for what it cannot judge yet.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

_local = threading.local()


def default_rng() -> np.random.Generator:
    """A generator per thread: a ``Generator`` must not be drawn from by two threads at once."""
    rng = getattr(_local, "rng", None)
    if rng is None:
        rng = _local.rng = np.random.default_rng()
    return rng


def thompson_pick(stats: Sequence[tuple[float, float]], rng: np.random.Generator) -> int:
    """The index of the winner among candidates given as (impressions, engagements).

    Engagements above impressions (events counted before their impression) count as a hit rate of 1.
    """
    if not stats:
        raise ValueError("no candidates to pick from")
    shown = np.fromiter((max(s[0], 0.0) for s in stats), np.float64, len(stats))
    engaged = np.fromiter((max(s[1], 0.0) for s in stats), np.float64, len(stats))
    draws = rng.beta(1.0 + engaged, 1.0 + np.maximum(shown - engaged, 0.0))
    return int(np.argmax(draws))
