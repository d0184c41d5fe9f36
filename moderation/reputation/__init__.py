"""Creator reputation and shopper trust, recomputed incrementally by Celery.

Public, imported here: the formulas (``creators``: ``NEUTRAL``, ``Evidence``, ``reputation``,
``breakdown``; ``shoppers``: ``TrustInputs``, ``trust``). Others call, from ``services``:
``creator_reputation_touch`` (an item's status or a report changed: recompute this creator on the
next run), ``creator_reputation_override`` and ``shopper_trust_override`` (a moderator's, with a
reason, audited). The recomputes themselves (``services.creator_reputations_advance``,
``shopper_trust_advance`` and the daily ``*_reconcile``) run from ``tasks``.

The formulas live in ``creators`` and ``shoppers`` (module docstrings); ``selectors`` reads what
they need, ``services`` writes the results; ``docs/moderation/reputation.md`` is the moderator's view.
"""

from moderation.reputation.creators import NEUTRAL, Evidence, breakdown, reputation
from moderation.reputation.shoppers import TrustInputs, trust

__all__ = ["NEUTRAL", "Evidence", "TrustInputs", "breakdown", "reputation", "trust"]
