import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from feedsite import env


def test_embedded_default_uses_sqlite_local_files_and_no_redis():
    config = env.load({})

    assert config.database["ENGINE"] == "django.db.backends.sqlite3"
    assert config.database["NAME"].endswith("var/feedsite.sqlite3")
    assert config.redis_url is None
    assert config.storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert config.debug is True
    assert config.secret_key == env.INSECURE_DEV_SECRET_KEY


def test_service_mode_uses_postgres_redis_and_s3():
    config = env.load(
        {
            "DATABASE_URL": "postgres://feed:pw@db.internal:5433/feedsite",
            "REDIS_URL": "redis://cache.internal:6379/2",
            "AWS_STORAGE_BUCKET_NAME": "feed-media",
            "AWS_S3_ENDPOINT_URL": "http://minio.internal:9000",
            "SECRET_KEY": "s3cret",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "feed.example.com,www.feed.example.com",
            "DATABASE_POOL_SIZE": "12",
        }
    )

    assert config.database["ENGINE"] == "django.db.backends.postgresql"
    assert (config.database["HOST"], config.database["PORT"], config.database["NAME"]) == (
        "db.internal",
        5433,
        "feedsite",
    )
    # A pool per process, never persistent per-thread connections (they pile up under ASGI).
    assert config.database["CONN_MAX_AGE"] == 0
    assert config.database["OPTIONS"]["pool"]["max_size"] == 12
    assert config.redis_url == "redis://cache.internal:6379/2"
    assert config.storage["BACKEND"] == "feedsite.s3.MediaS3Storage"
    assert config.storage["OPTIONS"]["bucket_name"] == "feed-media"
    assert config.storage["OPTIONS"]["endpoint_url"] == "http://minio.internal:9000"
    assert config.allowed_hosts == ["feed.example.com", "www.feed.example.com"]
    assert config.debug is False


@pytest.mark.parametrize(
    "environ",
    [{"DJANGO_ENV": "production"}, {"DEBUG": "false"}, {"DJANGO_ENV": "production", "DEBUG": "true"}],
)
def test_refuses_to_start_without_secret_key_outside_development(environ):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        env.load(environ)


def test_production_settings_module_refuses_to_import_without_secret_key():
    clean_env = {"PATH": "/usr/bin:/bin", "DJANGO_ENV": "production", "DJANGO_SETTINGS_MODULE": "feedsite.settings"}

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=clean_env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_settings_follow_the_mode_of_this_run(settings):
    # The suite runs in whichever mode the environment chose; each service follows it.
    if settings.REDIS_URL:
        assert settings.CELERY_BROKER_URL == settings.REDIS_URL
        assert settings.CELERY_TASK_ALWAYS_EAGER is False
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    else:
        assert settings.CELERY_TASK_ALWAYS_EAGER is True
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


@pytest.mark.parametrize(("environ", "expected"), [({}, 0.2), ({"FEED_MIN_CREATOR_REPUTATION": "0.35"}, 0.35)])
def test_min_creator_reputation_defaults_below_neutral_and_can_be_set(environ, expected):
    assert env.load(environ).feed_min_creator_reputation == expected


@pytest.mark.parametrize("value", ["-0.1", "1.5"])
def test_min_creator_reputation_outside_zero_to_one_is_refused(value):
    with pytest.raises(ImproperlyConfigured, match="FEED_MIN_CREATOR_REPUTATION must be between 0 and 1"):
        env.load({"FEED_MIN_CREATOR_REPUTATION": value})


def test_creator_approval_is_automatic_in_development_and_by_staff_in_production():
    assert env.load({}).creator_approval == "auto"
    production = {"DJANGO_ENV": "production", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "shop.example"}
    assert env.load(production).creator_approval == "staff"
    assert env.load({"CREATOR_APPROVAL": "staff"}).creator_approval == "staff"
    with pytest.raises(ImproperlyConfigured, match="CREATOR_APPROVAL must be auto or staff"):
        env.load({"CREATOR_APPROVAL": "sometimes"})


def test_media_tools_come_from_the_path_unless_named():
    assert (env.load({}).ffmpeg_binary, env.load({}).ffprobe_binary) == ("", "")
    named = env.load({"FFMPEG_BINARY": "/opt/ff/ffmpeg", "FFPROBE_BINARY": "/opt/ff/ffprobe"})
    assert (named.ffmpeg_binary, named.ffprobe_binary) == ("/opt/ff/ffmpeg", "/opt/ff/ffprobe")


STRONG_KEY = "k7Qx2LmP9vR4tY8wZ1aB3cD5eF6gH0jN-sU_iO2pE4rT6yU8iO0pA"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SECRET_KEY": STRONG_KEY, "DEBUG": "true"}, "DEBUG must be off"),
        ({"SECRET_KEY": "x"}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "ab" * 40}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "django-insecure-" + STRONG_KEY}, "SECRET_KEY is too weak"),
    ],
)
def test_production_refuses_debug_and_a_weak_secret_key(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        env.load({"DJANGO_ENV": "production", **environ})


def test_a_weak_key_is_still_accepted_in_development():
    assert env.load({"SECRET_KEY": "x", "DEBUG": "false"}).secret_key == "x"


def test_production_passes_djangos_deployment_checks(tmp_path):
    clean_env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_ENV": "production",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "shop.example.com",
        "MEDIA_ROOT": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "feedsite.settings",
    }

    result = subprocess.run(
        [sys.executable, str(env.BASE_DIR / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=clean_env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, []),
        ({"AWS_STORAGE_BUCKET_NAME": "media"}, ["https://media.s3.amazonaws.com"]),
        ({"AWS_STORAGE_BUCKET_NAME": "media", "AWS_S3_CUSTOM_DOMAIN": "cdn.example.com"}, ["https://cdn.example.com"]),
        ({"AWS_STORAGE_BUCKET_NAME": "media", "AWS_S3_ENDPOINT_URL": "http://minio:9000/"}, ["http://minio:9000"]),
        ({"CSP_MEDIA_ORIGINS": "https://img.example.net"}, ["https://img.example.net"]),
    ],
)
def test_the_media_origins_of_the_content_security_policy_follow_the_storage(environ, expected):
    assert env.load(environ).media_origins == expected


def test_rate_limits_and_trusted_proxies_come_from_the_environment():
    config = env.load({"RATE_LIMIT_CATALOG": "off", "RATE_LIMIT_SIGNUP_ADDRESS": "3/hour", "NUM_PROXIES": "1"})

    assert config.rate_limits == {"catalog": None, "signup_address": "3/hour"}
    assert config.num_proxies == 1
    assert env.load({}).num_proxies == 0


def test_email_goes_to_the_console_unless_an_smtp_url_is_given():
    assert env.load({}).email == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    smtp = env.load({"EMAIL_URL": "smtp+tls://shop:s3cret@mail.example.com:587"}).email

    assert smtp == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "shop",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": True,
        "EMAIL_FILE_PATH": "",
    }


def test_message_settings_come_from_the_environment():
    default = env.load({})
    named = env.load(
        {
            "SITE_URL": "https://shop.example/",
            "DEFAULT_FROM_EMAIL": "Shop <hello@shop.example>",
            "MESSAGES_ABANDONED_CART_HOURS": "1.5",
        }
    )

    assert (default.site_url, default.messages_abandoned_cart_hours) == ("http://localhost:8000", 4.0)
    assert (named.site_url, named.default_from_email, named.messages_abandoned_cart_hours) == (
        "https://shop.example",
        "Shop <hello@shop.example>",
        1.5,
    )
    with pytest.raises(ImproperlyConfigured, match="MESSAGES_ABANDONED_CART_HOURS must be more than 0"):
        env.load({"MESSAGES_ABANDONED_CART_HOURS": "0"})
