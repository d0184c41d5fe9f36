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
# Reputation and trust, recomputed incrementally (moderation.reputation): interactions read per
# batch (one transaction each), and how long an interaction must have been stored before it is
# read (a writer's transaction that took an earlier id may still be committing).
MODERATION_REPUTATION_BATCH = 5_000
MODERATION_REPUTATION_SETTLE_SECONDS = 30
# Shopper trust reads each shopper's events of this many days, at most this many (the latest).
MODERATION_TRUST_WINDOW_DAYS = 7
MODERATION_TRUST_MAX_EVENTS = 5_000
