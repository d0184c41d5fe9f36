"""Ranking's extension points: signals the apps above answer (never model signals).

Moderation and experiments connect their receivers in their ``AppConfig.ready()``; ranking never
imports them. Each is sent explicitly, and a receiver's error propagates to the caller.

``creator_reputations(sender=History)``: sent when ranking builds its catalog snapshot and the
training world (``history.creator_reputations``); each receiver returns ``{creator id:
reputation}`` with reputations in (0, 1). A creator nobody reports is ``NEUTRAL_REPUTATION``.
Moderation answers with its creator standings.

``shopper_weights(sender=History)``: sent when ranking loads the training history
(``history.shopper_weights``); each receiver returns ``{shopper id: weight}`` with weights in
[0, 1) for the shoppers whose interactions count less in popularity, trending and counters (a
shopper left out counts fully). Moderation answers with its low-trust shoppers.

``shopper_segments(sender=History, history=History, when=ndarray)``: sent when ranking builds
training examples and the world it serves with (``history.shopper_segments``); each receiver
returns ``{shopper id: code}``, the segment of each of ``history``'s shoppers as of ``when[u]``
(Unix seconds per shopper index), from ``history``'s events up to then and what the receiver knows
of that time; codes are small positive integers, a shopper left out is 0 (no segment). The
ranker reads it as the feature ``u_segment``. Experiments answers with each shopper's RFM group.

``treatment_assignment(sender=MixPolicy)``: sent at most once per
``treatment.ASSIGNMENT_CACHE_SECONDS`` in each process (``treatment.treatment_for``); a receiver
returns ``None`` (nothing to assign) or ``assign(shopper) -> Treatment``, which serves every
shopper until the next ask (it may query). The first non-``None`` answer wins. Experiments answers
with the running experiments' variants.

``page_served(sender=FeedRequest)``: sent after a feed page is logged, with ``shopper``,
``request_id``, ``treatment`` and ``ranked`` (whether the ranker, not the popular/fresh fallback,
ordered the page). Experiments records the exposure of the variants that shaped it.
"""

from django.dispatch import Signal

# A creator's reputation before any evidence: neither pushed up nor held back.
NEUTRAL_REPUTATION = 0.5

creator_reputations = Signal()
shopper_weights = Signal()
shopper_segments = Signal()
treatment_assignment = Signal()
page_served = Signal()
