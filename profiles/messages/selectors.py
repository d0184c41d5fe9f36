"""Reads of messages: the inbox, what a shopper may receive, where a message's link leads."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import reverse

from profiles.messages.models import Message, MessageKind, MessagePreference
from profiles.models import Shopper

INBOX_PAGE_SIZE = 20
# Derived from watching what the shopper does (an idle cart, a liked post): only with their
# consent to personalization. The others answer what the shopper asked for or holds.
BEHAVIOURAL_KINDS = frozenset({MessageKind.ABANDONED_CART})


def preference_of(*, shopper: Shopper) -> MessagePreference:
    """The shopper's email preferences; an unsaved all-on row when they never chose."""
    if shopper.pk is None:
        return MessagePreference(shopper=shopper)
    return MessagePreference.objects.filter(shopper=shopper).first() or MessagePreference(shopper=shopper)


def email_address(*, shopper: Shopper) -> str:
    """Where the shopper's emails go: an active account's address, else "" (a visitor has none)."""
    user = shopper.user if shopper.user_id else None
    if user is None or not user.is_active:
        return ""
    return str(getattr(user, "email", "") or "")


def may_email(*, shopper: Shopper, kind: str) -> bool:
    """An account with an address whose preferences keep emails of ``kind`` on (and, for a
    behavioural kind, who consents to personalization)."""
    if kind in BEHAVIOURAL_KINDS and not shopper.personalization:
        return False
    return bool(email_address(shopper=shopper)) and preference_of(shopper=shopper).emails(kind)


def inbox_messages(*, shopper: Shopper) -> QuerySet[Message]:
    if shopper.pk is None:
        return Message.objects.none()
    return Message.objects.filter(shopper=shopper).select_related("product").order_by("-created_at", "-pk")


def inbox_page(*, shopper: Shopper, number: str | None) -> Page[Message]:
    """Page ``number`` of the shopper's messages, newest first (a number out of range: the last page)."""
    return Paginator(inbox_messages(shopper=shopper), INBOX_PAGE_SIZE).get_page(number)


def unread_count(*, shopper: Shopper) -> int:
    if shopper.pk is None:
        return 0
    return Message.objects.filter(shopper=shopper, read_at__isnull=True).count()


def message_of(*, shopper: Shopper, message_id: int) -> Message | None:
    """The shopper's own message ``message_id``; None for anybody else's."""
    if shopper.pk is None:
        return None
    return Message.objects.select_related("product").filter(shopper=shopper, pk=message_id).first()


def message_target(message: Message) -> str:
    """Where the message's link leads, a path of this site: the cart, or the product's page (the
    inbox when the product is gone). Only ever built from the message, never from a request."""
    if message.kind == MessageKind.ABANDONED_CART:
        return reverse("cart-page")
    if message.product_id is not None:
        return reverse("product", kwargs={"product_id": message.product_id})
    return reverse("inbox")
