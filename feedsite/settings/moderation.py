"""Moderation: when reports hide an item, how the queue is ordered, claims, and reputation and trust bars."""

from feedsite.settings.django import CONFIG

# Independent reports from trusted shoppers that hide an item everywhere until a moderator decides.
MODERATION_AUTO_HIDE_REPORTS = CONFIG.moderation_auto_hide_reports
# A report counts towards auto-hide only from a shopper at least this trusted (moderation ShopperTrust, 0..1).
MODERATION_TRUSTED_MIN = 0.5
# Priority added per report in the queue (a check's risk is 0..1).
MODERATION_REPORT_WEIGHT = 0.4
# How long a claim keeps a case from other moderators without a decision.
MODERATION_CLAIM_MINUTES = 15
# The classifier is retrained once this many new decisions have accumulated since the active version.
MODERATION_RETRAIN_AFTER_DECISIONS = 50
# Interactions of shoppers below this trust count less in counters and trending (by their trust).
MODERATION_LOW_TRUST = 0.5
