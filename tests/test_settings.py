"""The test run's settings (tests/settings.py): each pytest-xdist worker its own Redis database."""

import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from feedsite import realtime
from feedsite.celery import app
from tests.settings import BASE_URL_VARIABLE, worker_redis_url


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/9", "gw0", "redis://127.0.0.1:6379/9"),
        ("redis://127.0.0.1:6379/9", "gw3", "redis://127.0.0.1:6379/12"),
        ("redis://127.0.0.1:6379", "gw1", "redis://127.0.0.1:6379/1"),
        ("redis://:secret@cache:6380/2?ssl_cert_reqs=none", "gw1", "redis://:secret@cache:6380/3?ssl_cert_reqs=none"),
    ],
)
def test_a_worker_uses_the_database_after_the_base_by_its_number(url, worker, expected):
    assert worker_redis_url(url, worker) == expected


def test_a_worker_past_the_last_redis_database_is_refused_with_the_way_out():
    with pytest.raises(ImproperlyConfigured, match=r"database 14 \+ 2 = 16, but Redis has 16 .* fewer workers"):
        worker_redis_url("redis://127.0.0.1:6379/14", "gw2")


def test_every_user_of_redis_in_this_process_uses_this_workers_database(settings):
    base = os.environ[BASE_URL_VARIABLE]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    expected = (worker_redis_url(base, worker) if base and worker else base) or None  # None: fakeredis

    assert expected == settings.REDIS_URL
    if expected is not None:
        number = int(expected.rsplit("/", 1)[1])
        assert settings.CACHES["default"]["LOCATION"] == expected
        assert settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] == [expected]
        assert app.conf.broker_url == expected
        assert realtime.client().connection_pool.connection_kwargs["db"] == number
