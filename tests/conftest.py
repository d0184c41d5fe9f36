"""Shared fixtures. With REDIS_URL set, tests use that Redis (a throwaway database: it is flushed)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Generator, Iterator

import pytest
from rest_framework.test import APIClient

from feedsite import caches, realtime


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Password hashing is not what any test is about; the fast hasher keeps factories quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Nor is compiling every trained model to native code (tests/ranking/test_compiled.py is).
    settings.RANKER_COMPILED_TREES = False
    # Tests drive the event consumer themselves (tests/profiles/events/test_inline.py is about
    # the embedded default's inline one).
    settings.EVENTS_CONSUME_INLINE = False


Report = pytest.TestReport


def _on_postgresql() -> bool:
    from django.conf import settings

    return bool(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``postgresql_only`` tests skip on SQLite (the embedded default)."""
    if _on_postgresql():
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: DATABASE_URL is not PostgreSQL")
    for item in items:
        if item.get_closest_marker("postgresql_only"):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Report, Report]:
    """On PostgreSQL a ``postgresql_only`` test that skips fails instead: it is there to run."""
    report: Report = yield
    if report.skipped and item.get_closest_marker("postgresql_only") and _on_postgresql():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"A PostgreSQL-only test skipped on PostgreSQL: {reason}"
    return report


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> Iterator[None]:
    """On SQLite, the test database is a file of this test process rather than memory.

    The browser tests' live server (tests/web) then opens connections of its own: an in-memory
    database would be one connection shared by the test thread and every request thread, and a
    page's concurrent requests would interleave their transactions on it. One file per process
    (in the temporary directory, deleted at the end), so that test runs side by side in one
    checkout, and pytest-xdist's workers, never share a database. PostgreSQL keeps pytest-django's
    name, suffixed per xdist worker.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    path = None
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database.get("TEST", {}).get("NAME"):
        handle, path = tempfile.mkstemp(prefix="feedsite-test-", suffix=".sqlite3")
        os.close(handle)
        database.setdefault("TEST", {})["NAME"] = path
        # A test database need not survive a power cut: no fsync per commit; WAL lets the live
        # server's readers run beside a writer.
        database.setdefault("OPTIONS", {})["init_command"] = "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL;"
    yield
    if path is not None:
        for leftover in (path, f"{path}-wal", f"{path}-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(leftover)


@pytest.fixture(autouse=True)
def _clean_realtime_store() -> Iterator[None]:
    """Every test starts with an empty real-time store and no per-process caches from another test."""
    caches.clear_all()
    realtime.reset_for_tests()
    with contextlib.suppress(realtime.RealtimeUnavailable):
        realtime.client().flushdb()
    yield
    realtime.reset_for_tests()
    caches.clear_all()


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    """Rate-limit counters (the Django cache) start at zero: locmem outlives a test, Redis is flushed above."""
    from django.core.cache import cache

    with contextlib.suppress(Exception):
        cache.clear()


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path_factory) -> None:
    """Each test's private files (ranker artifacts, archives) go to a folder of its own, not var/private."""
    location = str(tmp_path_factory.mktemp("private"))
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "feedsite.storage.PrivateFileSystemStorage", "OPTIONS": {"location": location}},
    }


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def realtime_down(settings) -> Iterator[None]:
    """The real-time store is unreachable: a real connection to a port nobody listens on."""
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    realtime.reset_for_tests()
    yield
    realtime.reset_for_tests()


@pytest.fixture
def moderation_rules(db) -> None:
    """The default moderation rules of migration 0003, as a fresh install has them: a transactional
    test (a live server's) flushes them from a reused database, and screening then holds nothing."""
    import importlib

    from django.apps import apps

    seeded = importlib.import_module("moderation.migrations.0003_audit_append_only_and_seed_rules")
    seeded.seed_rules(apps, None)


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Queued tasks run at once, as on the embedded default (the namespaced key is what Celery reads)."""
    from feedsite.celery import app

    previous = app.conf.task_always_eager
    app.conf.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.CELERY_TASK_ALWAYS_EAGER = previous
