"""Signed tokens in message links: unsubscribe (shopper and kind) and tracking (a message).

Signed with the site's key (``django.core.signing``) under salts of their own, so a token of one
sort is never accepted as the other. They do not expire: an email's unsubscribe link must work
as long as the email exists (RFC 8058 asks for it to keep working).
"""

from __future__ import annotations

from django.core import signing

from profiles.messages.models import MessageKind

UNSUBSCRIBE_SALT = "feedsite.messages.unsubscribe"
TRACKING_SALT = "feedsite.messages.tracking"
# An unsubscribe token for every kind at once.
ALL_KINDS = "all"


class BadToken(Exception):
    """A token that was not made here, or was changed."""


def unsubscribe_token(*, shopper_id: int, kind: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"s": shopper_id, "k": kind})


def unsubscribe_read(token: str) -> tuple[int, str]:
    """``(shopper_id, kind)`` of a token; ``kind`` is a ``MessageKind`` value or ``ALL_KINDS``."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError) as exc:
        raise BadToken from exc
    if not isinstance(value, dict):
        raise BadToken
    shopper_id, kind = value.get("s"), value.get("k")
    if not isinstance(shopper_id, int) or (kind != ALL_KINDS and kind not in MessageKind.values):
        raise BadToken
    return shopper_id, kind


def tracking_token(message_id: int) -> str:
    return signing.Signer(salt=TRACKING_SALT).sign(str(message_id))


def tracking_read(token: str) -> int:
    try:
        value = signing.Signer(salt=TRACKING_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise BadToken from exc
    if not value.isdigit():
        raise BadToken
    return int(value)
