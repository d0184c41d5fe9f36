"""Celery tasks of the event pipeline: each named explicitly, calling one service, safe twice."""

from __future__ import annotations

from celery import shared_task

from profiles.events.history import engagement_refresh


@shared_task(name="profiles.refresh_engagement")
def refresh_engagement() -> int:
    """Every quarter hour (CELERY_BEAT_SCHEDULE): each item's ``engagement``, the interaction count
    the popular fallback, the interest source and the content index ("at most 50 interactions")
    order and filter by. Returns the rows whose count changed."""
    return engagement_refresh()
