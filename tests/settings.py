"""The test run's settings: the project's, with a Redis database of this pytest-xdist worker's own.

pytest-django gives each xdist worker its own test database (``test_<name>_gw0``, ...). Redis gets
one too: worker ``gwN`` uses database ``base + N``, ``base`` being the number in ``REDIS_URL``. It
is put into the environment before ``feedsite.settings`` reads it, so that every user of
``REDIS_URL`` (real-time store, cache, channel layer, Celery broker) sees the worker's database.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

# Redis's default ``databases`` setting: numbers 0 to 15.
REDIS_DATABASES = 16
# The URL the run was given; the workers' databases are counted from its number.
BASE_URL_VARIABLE = "FEEDSITE_TEST_REDIS_BASE_URL"


def worker_redis_url(url: str, worker: str) -> str:
    """``url`` with database ``base + N`` for xdist worker ``gwN``; refuses a number Redis lacks."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = base + int(worker.removeprefix("gw"))
    if number >= REDIS_DATABASES:
        raise ImproperlyConfigured(
            f"xdist worker {worker} needs Redis database {base} + {worker.removeprefix('gw')} = {number}, "
            f"but Redis has {REDIS_DATABASES} (0-{REDIS_DATABASES - 1}): "
            "start from a lower database in REDIS_URL or run fewer workers (-n)."
        )
    return urlunsplit(parts._replace(path=f"/{number}"))


def _use_worker_redis() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base_url = os.environ.setdefault(BASE_URL_VARIABLE, os.environ.get("REDIS_URL", ""))
    if worker and base_url:
        os.environ["REDIS_URL"] = worker_redis_url(base_url, worker)


_use_worker_redis()

from feedsite.settings import *  # noqa: E402, F403
