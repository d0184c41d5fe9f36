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

``policy_assignment(sender=MixPolicy)``: sent at most once per ``policy.POLICY_CACHE_SECONDS`` in
each process (``policy.policy_for_shopper``); a receiver returns ``None`` (nothing to assign) or
``assign(shopper_id) -> (policy name or None for the default, label)``, a pure function that
serves every shopper until the next ask; the label is what the served-list log records. The first
non-``None`` answer wins. Experiments answers with the running experiment's variants.
"""

from django.dispatch import Signal

# A creator's reputation before any evidence: neither pushed up nor held back.
NEUTRAL_REPUTATION = 0.5

creator_reputations = Signal()
shopper_weights = Signal()
policy_assignment = Signal()
