"""Celery tasks of privacy and retention: each named explicitly, calling one service, safe twice."""

from __future__ import annotations

from celery import shared_task

from profiles.privacy.archive import retention_run
from profiles.privacy.erasure import visitors_expire


@shared_task(name="profiles.archive.archive_and_purge")
def archive_and_purge() -> dict[str, int]:
    """Hourly (CELERY_BEAT_SCHEDULE): archive finished hours, then purge past the retention window.

    No retry of its own: a run that fails leaves every hour either archived or untouched, and the
    next hourly run takes up what is left.
    """
    archived, purged = retention_run()
    return {
        "archived_hours": archived.hours,
        "archived_rows": archived.rows,
        "purged_hours": purged.hours,
        "purged_rows": purged.rows,
        "kept_rows": purged.kept,
    }


@shared_task(name="profiles.privacy.visitors_expire")
def expire_visitors() -> dict[str, int]:
    """Daily (CELERY_BEAT_SCHEDULE): erase anonymous visitors with no write for
    ``VISITOR_RETENTION_DAYS`` (``erasure.visitors_expire``). No retry of its own: a run that fails
    (the real-time store down) deleted nothing from the database, and the next run starts over."""
    return visitors_expire()
