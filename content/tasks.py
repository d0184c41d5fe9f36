"""Celery tasks of the content app."""

from __future__ import annotations

from celery import shared_task

from content.services import content_publish_due


@shared_task(name="content.publish_due")
def publish_due() -> int:
    """Publish the scheduled items whose time has come (Celery beat, every minute)."""
    return content_publish_due()
