"""Writes of messages: create (and queue the email), send the email, read, open, click, preferences.

Every message lands in the shopper's inbox. The task that made it queues its email
(``tasks.emails_queue``) when ``selectors.may_email`` allows it, and that is checked again when it
is sent (a shopper who unsubscribed meanwhile gets none).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from content.models import Product
from profiles.events.server import events_record_server
from profiles.messages import selectors
from profiles.messages.emails import message_email
from profiles.messages.models import Message, MessageKind, MessagePreference
from profiles.messages.tokens import ALL_KINDS
from profiles.models import Shopper
from profiles.shop.cart import item_featuring
from profiles.shop.models import Cart

logger = logging.getLogger(__name__)


def message_create(
    *,
    shopper: Shopper,
    kind: MessageKind,
    subject: str,
    body: str,
    dedupe_key: str,
    product: Product | None = None,
    cart: Cart | None = None,
) -> tuple[Message, bool]:
    """The message of trigger ``dedupe_key``, made once; returns it and whether it is new."""
    try:
        with transaction.atomic():
            message, created = Message.objects.get_or_create(
                dedupe_key=dedupe_key,
                defaults={
                    "shopper": shopper,
                    "kind": kind,
                    # One line: an email header cannot hold a line break (a product title might).
                    "subject": " ".join(subject.split())[:200],
                    "body": body,
                    "product": product,
                    "cart": cart,
                },
            )
    except IntegrityError:
        # Made meanwhile by a concurrent run of the same trigger.
        return Message.objects.get(dedupe_key=dedupe_key), False
    return message, created


def message_email_send(*, message_id: int) -> bool:
    """Email message ``message_id`` unless it was emailed already or the shopper may no longer get
    it; sets ``emailed_at``; returns whether it was sent.

    The row is locked while sending, so two runs never both send it. SMTP and connection errors
    propagate (the task retries them); the message stays in the inbox either way.
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("shopper__user", "product")
            .filter(pk=message_id, emailed_at__isnull=True)
            .first()
        )
        if message is None or not selectors.may_email(shopper=message.shopper, kind=message.kind):
            return False
        message_email(message, to=selectors.email_address(shopper=message.shopper)).send()
        message.emailed_at = timezone.now()
        message.save(update_fields=["emailed_at"])
    return True


def message_read(*, message: Message) -> None:
    """Mark ``message`` read in the inbox (once: the first time stays)."""
    if message.read_at is None:
        message.read_at = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)


def _record_event(message: Message, kind: str) -> None:
    """``message_open`` / ``message_click`` on the item showing the message's product (none when no
    published item shows it: an event is about an item). Once per message: the event id is the
    message's. Ingestion records nothing for a shopper who refused personalization."""
    if message.product is None or (item := item_featuring(message.product)) is None:
        return
    event: dict[str, Any] = {
        "type": kind,
        "event_id": f"{kind}:{message.pk}",
        "item": item.pk,
        "product": message.product_id,
        "context": {"surface": f"message_{message.kind}"},
    }
    result = events_record_server(shopper=message.shopper, events=[event])
    if result.rejected:
        logger.warning("%s event of message %s not recorded: %s", kind, message.pk, result.rejected)


def message_opened(*, message: Message) -> None:
    """The email's pixel was fetched: ``opened_at`` (the first time) and a ``message_open`` event."""
    if message.opened_at is None:
        message.opened_at = timezone.now()
        Message.objects.filter(pk=message.pk, opened_at__isnull=True).update(opened_at=message.opened_at)
    _record_event(message, "message_open")


def message_clicked(*, message: Message) -> None:
    """The email's link was followed: ``clicked_at`` (and ``opened_at``: images may be blocked) the
    first time, and a ``message_click`` event."""
    now = timezone.now()
    Message.objects.filter(pk=message.pk, opened_at__isnull=True).update(opened_at=now)
    Message.objects.filter(pk=message.pk, clicked_at__isnull=True).update(clicked_at=now)
    message.opened_at = message.opened_at or now
    message.clicked_at = message.clicked_at or now
    _record_event(message, "message_click")


def message_preference_set(*, shopper: Shopper, emails: dict[str, bool]) -> MessagePreference:
    """Set which kinds the shopper gets by email (``{kind: on}``; kinds not named keep their value)."""
    unknown = set(emails) - set(MessageKind.values)
    if unknown:
        raise ValueError(f"unknown message kinds: {sorted(unknown)}")
    preference, _ = MessagePreference.objects.get_or_create(shopper=shopper)
    for kind, on in emails.items():
        setattr(preference, f"email_{kind}", on)
    preference.save()
    return preference


def message_unsubscribe(*, shopper_id: int, kind: str) -> bool:
    """Stop emails of ``kind`` (or ``ALL_KINDS``) to shopper ``shopper_id``; returns whether the
    shopper exists. Idempotent. The inbox keeps receiving messages."""
    shopper = Shopper.objects.filter(pk=shopper_id).first()
    if shopper is None:
        return False
    kinds = MessageKind.values if kind == ALL_KINDS else [kind]
    message_preference_set(shopper=shopper, emails=dict.fromkeys(kinds, False))
    return True


def messages_merge(sender: object, *, source: Shopper, target: Shopper, **kwargs: object) -> None:
    """``profiles.signals.shopper_merged``: the visitor's messages move to the account's inbox."""
    Message.objects.filter(shopper=source).update(shopper=target)
