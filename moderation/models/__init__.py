"""Moderation's tables, one module per concern; everything public is imported here.

- ``standing``: creators' reputation and blocks (``CreatorStanding``, ``CreatorDecision``), shoppers'
  trust (``ShopperTrust``) and the incremental recompute's watermark (``ReputationCursor``).
- ``checks``: the automatic checks: rules edited in admin (``Rule``), the classifier's versions
  (``ClassifierVersion``), media fingerprints (``MediaFingerprint``) and each submission's
  outcome with every check's score and reason (``Screening``).
- ``cases``: the review queue (``Case``), shoppers' reports (``Report``) and creators' appeals
  (``Appeal``).
- ``audit``: the append-only log of every decision and rule change (``AuditEntry``).
"""

from moderation.models.audit import AuditEntry, ReasonCode
from moderation.models.cases import Appeal, Case, Report
from moderation.models.checks import ClassifierVersion, MediaFingerprint, Rule, Screening
from moderation.models.standing import CreatorDecision, CreatorStanding, ReputationCursor, ShopperTrust

__all__ = [
    "Appeal",
    "AuditEntry",
    "Case",
    "ClassifierVersion",
    "CreatorDecision",
    "CreatorStanding",
    "MediaFingerprint",
    "ReasonCode",
    "Report",
    "ReputationCursor",
    "Rule",
    "Screening",
    "ShopperTrust",
]
