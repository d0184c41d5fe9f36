"""The shopper's segment as a ranking feature: the answer to ``ranking.signals.shopper_segments``.

Ranking asks for its shoppers as of moments of its own (training: when each came back after a
replay cut; the world it serves with: its clock), so the answer is computed, not read from the
stored segments: the RFM groups of ``history``'s shoppers, each as of ``when[u]`` from the events
before it and the orders paid by then, scored against each other as the nightly recomputation
scores everyone (``rfm``). Behaviour clusters are not offered: their keys name a clustering of one
moment, and another moment's clustering would give the same code another meaning.

Only a shop whose RFM segments are computed (a ``SegmentRun`` of that kind exists: the nightly
task, *Recompute now*, or the demo) feeds the feature; elsewhere, an imported dataset say, every
shopper is 0 and the column tells the ranker nothing, so a dataset ranks as it did without it
(docs/experiments/segments.md has the evaluation behind this rule).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.segments.activity import PaidOrders, activity_of_history
from experiments.segments.models import SegmentKind, SegmentRun
from experiments.segments.rfm import rfm_score
from ranking.history import History


def shopper_segments(sender: Any, *, history: History, when: np.ndarray, **_: Any) -> dict[int, int]:
    """{shopper id: RFM group code} (``rfm.GROUPS``) as of ``when``, on a shop whose RFM segments
    are computed; two queries (whether they are, and paid orders)."""
    if not SegmentRun.objects.filter(kind=SegmentKind.RFM).exists():
        return {}
    return rfm_score(activity_of_history(history, when, PaidOrders.load())).codes()
