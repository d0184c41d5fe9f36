"""A message as an email: text and HTML parts, one-click unsubscribe headers, tracked links."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from profiles.messages import tokens
from profiles.messages.models import Message


def absolute(path: str) -> str:
    """``path`` on the site's public address (``SITE_URL``): an email is read away from the site."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def unsubscribe_url(*, shopper_id: int, kind: str) -> str:
    return absolute(reverse("message-unsubscribe", args=[tokens.unsubscribe_token(shopper_id=shopper_id, kind=kind)]))


def message_email(message: Message, *, to: str) -> EmailMultiAlternatives:
    """The email of ``message`` to ``to``.

    ``List-Unsubscribe`` names the unsubscribe page of the message's kind, and
    ``List-Unsubscribe-Post`` says that a POST to it unsubscribes in one click (RFC 8058).
    The link goes through the click tracker and the HTML part carries the open pixel.
    """
    tracking = tokens.tracking_token(message.pk)
    unsubscribe_kind = unsubscribe_url(shopper_id=message.shopper_id, kind=message.kind)
    unsubscribe_all = unsubscribe_url(shopper_id=message.shopper_id, kind=tokens.ALL_KINDS)
    context = {
        "message": message,
        "link": absolute(reverse("message-click", args=[tracking])),
        "pixel": absolute(reverse("message-open", args=[tracking])),
        "unsubscribe_kind": unsubscribe_kind,
        "unsubscribe_all": unsubscribe_all,
        "preferences": absolute(reverse("privacy") + "#emails"),
        "kind_label": message.get_kind_display().lower(),
    }
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=render_to_string("messages/email/message.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_kind}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(render_to_string("messages/email/message.html", context), "text/html")
    return email
