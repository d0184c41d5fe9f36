"""The feed's own knobs."""

from feedsite.env import VAR_DIR
from feedsite.settings.django import CONFIG

FEED_PAGE_DEFAULT = 10
FEED_PAGE_MAX = 50
# How long a feed session (its cursor and the cards it has served) is remembered.
FEED_SESSION_TTL_SECONDS = 6 * 3600
FEED_AFFINITY_HALF_LIFE_HOURS = CONFIG.feed_affinity_half_life_hours
# Creators whose reputation (moderation.reputation, 0..1, new creators 0.5) is below this are not
# served, like blocked ones.
FEED_MIN_CREATOR_REPUTATION = CONFIG.feed_min_creator_reputation
# Interactions older than this are deleted from the database once archived (profiles.privacy.archive).
EVENT_RETENTION_DAYS = CONFIG.event_retention_days
VISITOR_COOKIE = "fs_vid"
# Anonymous visitors with no write for this long are erased (profiles.privacy.visitors_expire).
VISITOR_RETENTION_DAYS = CONFIG.visitor_retention_days
VISITOR_COOKIE_MAX_AGE = 365 * 24 * 3600
# Candidate lists of shoppers served a page within the last FEED_PRECOMPUTE_ACTIVE_MINUTES are
# recomputed every FEED_PRECOMPUTE_MINUTES (ranking.precompute_feeds, Celery beat).
FEED_PRECOMPUTE_MINUTES = 10
FEED_PRECOMPUTE_ACTIVE_MINUTES = 60
# Score with the active model's trees compiled to native code (ranking.compiled), cached here per
# model version and shared by the processes of a machine.
RANKER_COMPILED_TREES = True
RANKER_COMPILE_DIR = VAR_DIR / "compiled"
# Running experiments' results are recorded, guardrails enforced and rollouts ramped this often
# (experiments.check, Celery beat).
EXPERIMENTS_CHECK_MINUTES = 15
