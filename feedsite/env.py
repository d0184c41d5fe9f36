"""The one place that reads the process environment.

Every setting that production may change is an environment variable read here; the settings
modules only import the values. Two modes follow from what is set:

* embedded default (no ``DATABASE_URL`` / ``REDIS_URL``): SQLite file under ``var/``, an
  in-process Redis-compatible store, Celery tasks run inline, in-memory channel layer;
* services: PostgreSQL and Redis at the given URLs, Celery through the Redis broker.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# Used only when DEBUG is on (development and tests); production refuses to start without a key.
INSECURE_DEV_SECRET_KEY = "django-insecure-feedsite-development-only"
# Django's own bar for a key it does not warn about (``check --deploy``, security.W009).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5


@dataclass(frozen=True)
class Config:
    debug: bool
    production: bool
    secret_key: str
    ssl_redirect: bool
    hsts_seconds: int
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    database: dict[str, Any]
    redis_url: str | None
    storage: dict[str, Any]
    private_storage: dict[str, Any]
    media_root: Path
    feed_affinity_half_life_hours: float
    feed_min_creator_reputation: float
    event_retention_days: int
    visitor_retention_days: int
    # RATE_LIMIT_<SCOPE>=N/period|off, by scope name (``comments``, ``comments_address``…).
    rate_limits: dict[str, str | None]
    num_proxies: int
    signin_failure_limit: int
    signin_cooloff_minutes: int
    # Origins media is served from besides the site (the CDN or bucket), for the Content-Security-Policy.
    media_origins: list[str]
    # "auto": a studio application makes a creator at once; "staff": staff approve it in admin.
    creator_approval: str
    moderation_auto_hide_reports: int
    # The media pipeline's tools; empty: found on the PATH (content.media.ffmpeg).
    ffmpeg_binary: str
    ffprobe_binary: str
    # Django's EMAIL_* settings from ``EMAIL_URL`` (the console on the embedded default).
    email: dict[str, Any]
    default_from_email: str
    # The site's public address, for links in emails (read away from the site).
    site_url: str
    messages_abandoned_cart_hours: float


PREPARE_THRESHOLD = 5


def database_config(url: str | None, pool_size: int = 8) -> dict[str, Any]:
    """Django DATABASES["default"] for ``url``; a SQLite file under var/ when unset."""
    if not url:
        VAR_DIR.mkdir(exist_ok=True)  # a fresh clone has no var/ yet; SQLite will not create it
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "feedsite.sqlite3"),
            # The importer and the event consumer write while the site reads.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Under ASGI every request may run on a different thread, so persistent per-thread
        # connections pile up until PostgreSQL refuses clients; a process-wide pool does not.
        config["CONN_MAX_AGE"] = 0
        options = config.setdefault("OPTIONS", {})
        options["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 10}
        # Parameters bound by the server, and a statement run PREPARE_THRESHOLD times on a
        # connection is prepared there: PostgreSQL plans the feed's fixed queries once per pooled
        # connection, not on every page (planning them took longer than running them).
        options["server_side_binding"] = True
        options["prepare_threshold"] = PREPARE_THRESHOLD
    return config


def storage_config(env: environ.Env, media_root: Path) -> dict[str, Any]:
    """STORAGES["default"]: local files, or an S3-compatible bucket when one is named."""
    bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media_root), "base_url": "/media/"},
        }
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
        "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
        "file_overwrite": False,
    }
    return {"BACKEND": "feedsite.s3.MediaS3Storage", "OPTIONS": options}


def _refuse_weak_production(*, debug: bool, secret_key: str) -> None:
    """Production never starts with debug pages on or a key that can be guessed."""
    if debug:
        raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")
    if (
        len(secret_key) < SECRET_KEY_MIN_LENGTH
        or len(set(secret_key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or secret_key.startswith("django-insecure-")
    ):
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak for production: use at least {SECRET_KEY_MIN_LENGTH} random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )


def private_storage_config(env: environ.Env) -> dict[str, Any]:
    """STORAGES["private"]: a folder with no URL, or the bucket's private prefix behind signed URLs."""
    bucket = env.str("AWS_PRIVATE_BUCKET_NAME", default="") or env.str("AWS_STORAGE_BUCKET_NAME", default="")
    if not bucket:
        location = env.str("PRIVATE_FILES_ROOT", default=str(VAR_DIR / "private"))
        return {"BACKEND": "feedsite.storage.PrivateFileSystemStorage", "OPTIONS": {"location": location}}
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": "private",
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "default_acl": "private",
        "querystring_auth": True,
        # A signed URL is handed to one reader for one download: it need not outlive a few minutes.
        "querystring_expire": env.int("AWS_PRIVATE_URL_EXPIRE_SECONDS", default=300),
        # Signature V4: the only one newer regions accept, and one that carries its expiry in seconds.
        "signature_version": "s3v4",
        "file_overwrite": False,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


RATE_LIMIT_PREFIX = "RATE_LIMIT_"
RATE_LIMIT_FORMAT = re.compile(r"^\d+/(s|m|h|d)[a-z]*$")


def rate_limits_config(environ_mapping: Mapping[str, str]) -> dict[str, str | None]:
    """``RATE_LIMIT_COMMENTS_ADDRESS=30/minute`` → ``{"comments_address": "30/minute"}``; ``off`` → None."""
    rates: dict[str, str | None] = {}
    for name, value in environ_mapping.items():
        if not name.startswith(RATE_LIMIT_PREFIX):
            continue
        scope, value = name.removeprefix(RATE_LIMIT_PREFIX).lower(), value.strip().lower()
        if value in ("off", "none"):
            rates[scope] = None
        elif RATE_LIMIT_FORMAT.match(value):
            rates[scope] = value
        else:
            raise ImproperlyConfigured(f"{name}={value!r}: a rate is N/second, N/minute, N/hour, N/day or off.")
    return rates


def media_origins_config(env: environ.Env, storage: dict[str, Any]) -> list[str]:
    """Where media comes from besides the site: the CDN domain or the bucket's endpoint, and any extras."""
    origins = env.list("CSP_MEDIA_ORIGINS", default=[])
    options = storage.get("OPTIONS", {})
    if storage["BACKEND"].endswith("S3Storage"):
        if options.get("custom_domain"):
            origins.append(f"https://{options['custom_domain']}")
        elif options.get("endpoint_url"):
            origins.append(options["endpoint_url"].rstrip("/"))
        else:
            origins.append(f"https://{options['bucket_name']}.s3.amazonaws.com")
    return origins


def email_config(env: environ.Env) -> dict[str, Any]:
    """Django's ``EMAIL_*`` settings from ``EMAIL_URL`` (``smtp+tls://user:password@host:587``,
    ``smtps://…``, ``consolemail://``); the console backend when unset."""
    url = env.str("EMAIL_URL", default="")
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    config = environ.Env.email_url_config(url)
    return {key: value for key, value in config.items() if key.startswith("EMAIL_")}


def load(environ_mapping: Mapping[str, str] | None = None) -> Config:
    """Read the configuration from ``environ_mapping`` (the process environment by default)."""
    env = environ.Env()
    if environ_mapping is not None:
        env.ENVIRON = dict(environ_mapping)
    production = env.str("DJANGO_ENV", default="development") == "production"
    debug = env.bool("DEBUG", default=not production)
    secret_key = env.str("SECRET_KEY", default="")
    if not secret_key:
        if production or not debug:
            raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off or DJANGO_ENV=production.")
        secret_key = INSECURE_DEV_SECRET_KEY
    if production:
        _refuse_weak_production(debug=debug, secret_key=secret_key)
    media_root = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
    event_retention_days = env.int("EVENT_RETENTION_DAYS", default=90)
    if event_retention_days < 1:
        raise ImproperlyConfigured("EVENT_RETENTION_DAYS must be at least 1.")
    visitor_retention_days = env.int("VISITOR_RETENTION_DAYS", default=30)
    if visitor_retention_days < 1:
        raise ImproperlyConfigured("VISITOR_RETENTION_DAYS must be at least 1.")
    # 0.2: creators four times worse than a typical one (moderation.reputation); a new creator is 0.5.
    feed_min_creator_reputation = env.float("FEED_MIN_CREATOR_REPUTATION", default=0.2)
    if not 0 <= feed_min_creator_reputation <= 1:
        raise ImproperlyConfigured("FEED_MIN_CREATOR_REPUTATION must be between 0 and 1.")
    storage = storage_config(env, media_root)
    creator_approval = env.str("CREATOR_APPROVAL", default="staff" if production else "auto")
    if creator_approval not in ("auto", "staff"):
        raise ImproperlyConfigured("CREATOR_APPROVAL must be auto or staff.")
    messages_abandoned_cart_hours = env.float("MESSAGES_ABANDONED_CART_HOURS", default=4.0)
    if messages_abandoned_cart_hours <= 0:
        raise ImproperlyConfigured("MESSAGES_ABANDONED_CART_HOURS must be more than 0.")
    num_proxies = env.int("NUM_PROXIES", default=0)
    if num_proxies < 0:
        raise ImproperlyConfigured("NUM_PROXIES must be 0 or more.")
    return Config(
        debug=debug,
        production=production,
        secret_key=secret_key,
        # Behind a proxy that terminates TLS and sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
        ssl_redirect=env.bool("SECURE_SSL_REDIRECT", default=production),
        hsts_seconds=env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if production else 0),
        allowed_hosts=env.list("ALLOWED_HOSTS", default=[] if production else ["127.0.0.1", "localhost", "testserver"]),
        csrf_trusted_origins=env.list("CSRF_TRUSTED_ORIGINS", default=[]),
        database=database_config(env.str("DATABASE_URL", default=""), env.int("DATABASE_POOL_SIZE", default=8)),
        redis_url=env.str("REDIS_URL", default="") or None,
        storage=storage,
        private_storage=private_storage_config(env),
        media_root=media_root,
        feed_affinity_half_life_hours=env.float("FEED_AFFINITY_HALF_LIFE_HOURS", default=72.0),
        feed_min_creator_reputation=feed_min_creator_reputation,
        event_retention_days=event_retention_days,
        visitor_retention_days=visitor_retention_days,
        rate_limits=rate_limits_config(env.ENVIRON),
        num_proxies=num_proxies,
        signin_failure_limit=env.int("SIGNIN_FAILURE_LIMIT", default=5),
        signin_cooloff_minutes=env.int("SIGNIN_COOLOFF_MINUTES", default=15),
        media_origins=media_origins_config(env, storage),
        creator_approval=creator_approval,
        moderation_auto_hide_reports=env.int("MODERATION_AUTO_HIDE_REPORTS", default=3),
        ffmpeg_binary=env.str("FFMPEG_BINARY", default=""),
        ffprobe_binary=env.str("FFPROBE_BINARY", default=""),
        email=email_config(env),
        default_from_email=env.str("DEFAULT_FROM_EMAIL", default="feedsite <noreply@localhost>"),
        site_url=env.str("SITE_URL", default="http://localhost:8000").rstrip("/"),
        messages_abandoned_cart_hours=messages_abandoned_cart_hours,
    )
