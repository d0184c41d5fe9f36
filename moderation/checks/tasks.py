"""Celery tasks of the automatic checks: screening an item, retraining the classifier."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from moderation.checks import classifier
from moderation.checks.screening import item_screen


@shared_task(name="moderation.screen_item")
def screen_item(item_id: int) -> str | None:
    """Screen an item in review and carry out the outcome; returns it (None: nothing to do)."""
    screening = item_screen(item_id=item_id)
    return screening.outcome if screening is not None else None


def screen_item_enqueue(item_id: int) -> None:
    """Queue the screening of ``item_id`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: screen_item.delay(item_id))


@shared_task(name="moderation.classifier_retrain")
def classifier_retrain_task(force: bool = False) -> int | None:
    """Daily (beat) and when decisions crossed the bar: a new version when due (``force``: a moderator
    asked, due or not); returns its number (None: nothing trained)."""
    version = classifier.classifier_retrain(force=force)
    return version.version if version is not None else None


def classifier_retrain_if_due() -> bool:
    """Queue a retrain (after commit) when enough decisions came since the latest version; the queue
    calls this after each decision. Returns whether it queued one."""
    if not classifier.classifier_retrain_due():
        return False
    transaction.on_commit(classifier_retrain_task.delay)
    return True
