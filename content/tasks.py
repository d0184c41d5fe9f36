"""Celery tasks of the content app."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import transaction

from content.media.pipeline import GAVE_UP, MediaTransientError, media_fail, media_process_item
from content.models import ContentItem
from content.services import content_publish_due, content_transition

# Tries of one item's media after the first: waits of 30 s, 1, 2, 4, 8 min between them.
MEDIA_MAX_RETRIES = 5
MEDIA_RETRY_BASE_SECONDS = 30


@shared_task(name="content.publish_due")
def publish_due() -> int:
    """Publish the scheduled items whose time has come (Celery beat, every minute)."""
    return content_publish_due()


@shared_task(name="content.media_process", bind=True, acks_late=True, max_retries=MEDIA_MAX_RETRIES)
def media_process(self: Any, item_id: int) -> object:
    """Process an item's uploaded media (queue ``media``); transient errors are retried with
    exponential backoff, and once the retries are spent the item fails with a reason."""
    try:
        media_process_item(item_id)
        return None
    except MediaTransientError as exc:
        if self.request.retries >= self.max_retries:
            media_fail(item_id=item_id, reason=GAVE_UP)
            return None
        countdown = MEDIA_RETRY_BASE_SECONDS * 2**self.request.retries
        if self.request.is_eager:
            # Eagerly (the embedded default), apply() runs a returned retry at once; a raised one
            # would propagate (CELERY_TASK_EAGER_PROPAGATES) out of the upload's request instead.
            return self.retry(exc=exc, countdown=countdown, throw=False)
        raise self.retry(exc=exc, countdown=countdown) from exc


def media_process_enqueue(item: ContentItem) -> None:
    """Queue the processing of ``item``'s media once the current transaction commits (its rows exist)."""
    item_id = item.pk
    transaction.on_commit(lambda: media_process.delay(item_id))


def media_retry(*, item: ContentItem) -> ContentItem:
    """Try a failed item's media again from its kept originals: ``failed`` → ``processing``, then queue.

    Raises ``ApplicationError(code="invalid_transition")`` for an item that has not failed.
    """
    with transaction.atomic():
        retried = content_transition(item=item, to=ContentItem.Status.PROCESSING, reason="")
        media_process_enqueue(retried)
    return retried
