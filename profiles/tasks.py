"""Celery tasks of the profiles app: each named explicitly, taking ids, calling one service, safe twice."""

from __future__ import annotations

from celery import shared_task

from profiles.archive import retention_run
from profiles.services import engagement_refresh


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


@shared_task(name="profiles.refresh_engagement")
def refresh_engagement() -> int:
    """Every quarter hour (CELERY_BEAT_SCHEDULE): each item's ``engagement``, the interaction count
    the popular fallback, the interest source and the content index ("at most 50 interactions")
    order and filter by. Returns the rows whose count changed."""
    return engagement_refresh()
