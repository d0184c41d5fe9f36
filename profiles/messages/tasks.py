"""Celery tasks of messages: each named, taking ids, safe to run twice (dedupe keys, ``emailed_at``)."""

from __future__ import annotations

import logging
import smtplib
from decimal import Decimal

from celery import Task, shared_task
from django.db import transaction

from profiles.messages import selectors, triggers
from profiles.messages.models import Message
from profiles.messages.services import message_email_send

logger = logging.getLogger(__name__)

# A mail server down for longer than about a quarter of an hour is an outage: the message stays
# in the inbox, unemailed, and an operator sees the warning.
EMAIL_MAX_RETRIES = 4
EMAIL_RETRY_SECONDS = 60


def emails_queue(message_ids: list[int]) -> None:
    """Queue the email of each message its shopper may get by email, once the transaction commits."""
    allowed = [
        message.pk
        for message in Message.objects.filter(pk__in=message_ids).select_related("shopper__user")
        if selectors.may_email(shopper=message.shopper, kind=message.kind)
    ]
    for message_id in allowed:
        transaction.on_commit(lambda message_id=message_id: message_email.delay(message_id))  # type: ignore[misc]


@shared_task(name="profiles.messages.email", bind=True, max_retries=EMAIL_MAX_RETRIES)
def message_email(self: Task, message_id: int) -> bool:
    """Email one message (``services.message_email_send``). SMTP and connection errors are retried
    ``EMAIL_MAX_RETRIES`` times, a minute apart and doubling; then logged and given up. Run inline
    (the embedded default) it is not retried: the retry would run at once, in the request."""
    try:
        return message_email_send(message_id=message_id)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.is_eager or self.request.retries >= EMAIL_MAX_RETRIES:
            logger.warning("message %s not emailed after %s tries: %s", message_id, self.request.retries + 1, exc)
            return False
        raise self.retry(exc=exc, countdown=EMAIL_RETRY_SECONDS * 2**self.request.retries) from exc


@shared_task(name="profiles.messages.scan")
def messages_scan() -> dict[str, int]:
    """Periodic (CELERY_BEAT_SCHEDULE): remind idle carts, and send back-in-stock alerts that are due
    but were missed. No retry of its own: the next scan takes up what this one left."""
    made = triggers.abandoned_cart_messages()
    emails_queue(made)
    restocked = 0
    for product_id in triggers.back_in_stock_pending():
        sent = triggers.back_in_stock_messages(product_id=product_id)
        emails_queue(sent)
        restocked += len(sent)
    return {"abandoned_cart": len(made), "back_in_stock": restocked}


@shared_task(name="profiles.messages.back_in_stock")
def back_in_stock(product_id: int) -> int:
    """After a restock: the due alerts of ``product_id`` become messages."""
    made = triggers.back_in_stock_messages(product_id=product_id)
    emails_queue(made)
    return len(made)


@shared_task(name="profiles.messages.price_drop")
def price_drop(product_id: int, old_price: str) -> int:
    """After a price decrease of ``product_id`` from ``old_price`` (a decimal string)."""
    made = triggers.price_drop_messages(product_id=product_id, old_price=Decimal(old_price))
    emails_queue(made)
    return len(made)
