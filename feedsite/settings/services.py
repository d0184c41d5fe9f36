"""Redis-backed services: cache, Celery, Channels, and the real-time store.

With ``REDIS_URL`` set, all four use that Redis. Without it, each has an in-process stand-in that
keeps the same code paths: a fakeredis server for the real-time store, local-memory cache, Celery
tasks run inline, and the in-memory channel layer; the web process then also consumes the events
it accepts (``EVENTS_CONSUME_INLINE``).
"""

from celery.schedules import crontab

from feedsite.settings.django import CONFIG
from feedsite.settings.feed import EXPERIMENTS_CHECK_MINUTES, FEED_PRECOMPUTE_MINUTES

REDIS_URL = CONFIG.redis_url

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cache",
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    EVENTS_CONSUME_INLINE = False
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1500, "expiry": 30},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    # No process can share the in-process store: the web process consumes what it accepts.
    EVENTS_CONSUME_INLINE = True
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# Heavy work gets its own queues so that a retrain never delays ingestion.
CELERY_TASK_ROUTES = {
    # Exact names win over patterns: precomputing feeds must not wait behind a retrain.
    "ranking.precompute_feeds": {"queue": "default"},
    "ranking.*": {"queue": "training"},
    "content.media_process": {"queue": "media"},
    "moderation.classifier_retrain": {"queue": "training"},
    # Reads every shopper's activity and clusters them: heavy, like a retrain.
    "segments.recompute": {"queue": "training"},
    # Fan-out to many shoppers and a mail server's pace: never in front of the feed's own work.
    "profiles.messages.*": {"queue": "messages"},
}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Hourly, a few minutes past the hour: archive finished hours, purge past the retention window.
    "profiles-archive-and-purge": {"task": "profiles.archive.archive_and_purge", "schedule": crontab(minute=7)},
    # Interaction counts of items (``ContentItem.engagement``), for what orders by them.
    # Daily: anonymous visitors with no write for VISITOR_RETENTION_DAYS are erased.
    "profiles-visitors-expire": {"task": "profiles.privacy.visitors_expire", "schedule": crontab(hour=4, minute=17)},
    # Idle carts reminded, missed back-in-stock alerts sent (profiles.messages).
    "profiles-messages-scan": {"task": "profiles.messages.scan", "schedule": 15 * 60.0},
    "profiles-refresh-engagement": {"task": "profiles.refresh_engagement", "schedule": 15 * 60.0},
    # Candidate lists of recently active shoppers.
    "ranking-precompute-feeds": {"task": "ranking.precompute_feeds", "schedule": FEED_PRECOMPUTE_MINUTES * 60.0},
    # Nightly: shopper segments (RFM groups, behaviour clusters) recomputed, members replaced.
    "segments-recompute": {"task": "segments.recompute", "schedule": crontab(hour=2, minute=45)},
    # Nightly: a new ranker on everything stored, activated only if not worse offline.
    "ranking-retrain": {"task": "ranking.retrain", "schedule": crontab(hour=3, minute=30)},
    # Scheduled posts whose time has come.
    "content-publish-due": {"task": "content.publish_due", "schedule": 60.0},
    # Incremental (moderation.reputation): creators and shoppers named by interactions since the last run.
    "moderation-recompute-reputations": {"task": "moderation.recompute_reputations", "schedule": 5 * 60.0},
    "moderation-recompute-trust": {"task": "moderation.recompute_trust", "schedule": 5 * 60.0},
    # Daily, after the hourly purge of the small hours: totals recounted past retention deletes.
    "moderation-reconcile-reputations": {
        "task": "moderation.reconcile_reputations",
        "schedule": crontab(hour=4, minute=47),
    },
    # Daily: the text classifier retrained when enough moderators' decisions came since the last version.
    "moderation-classifier-retrain": {"task": "moderation.classifier_retrain", "schedule": crontab(hour=4, minute=17)},
    # Running experiments: results recorded, guardrails enforced, rollouts ramped (experiments.monitor).
    "experiments-check": {"task": "experiments.check", "schedule": EXPERIMENTS_CHECK_MINUTES * 60.0},
    # The KPI dashboard's daily rollup: today, and yesterday again until it settles after midnight.
    "experiments-kpis-rollup": {"task": "experiments.kpis.rollup_recent", "schedule": 15 * 60.0},
}
