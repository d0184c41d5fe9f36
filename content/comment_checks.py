"""Automatic checks on a comment or a creator's profile before it is stored: the seam where a
moderation app plugs in.

A comment check is a callable ``check(body: str) -> Verdict | None`` (None: nothing to say).
``comment_verdict`` runs content's own (``CHECKS``: the length), then asks the receivers of
``signals.comment_submitted``, which answer the same way: the first ``refuse`` wins (the comment
is not stored and the author is told why), otherwise any ``hide`` stores the comment hidden with
its reason, otherwise it is shown. ``profile_verdict`` asks the receivers of
``signals.profile_submitted`` and combines their answers the same way. A moderation app connects
its checks (rules edited by moderators, a classifier) in its ``AppConfig.ready()``; nothing here
needs to change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from django.conf import settings

from content import signals
from content.models import Comment, Creator
from feedsite.dispatch import answers

Action = Literal["allow", "hide", "refuse"]


@dataclass(frozen=True)
class Verdict:
    action: Action
    # Machine-readable (stored as ``Comment.moderation_reason`` when hidden).
    reason: str = ""
    # For the author, when refused or hidden.
    message: str = ""


ALLOW = Verdict("allow")
Check = Callable[[str], Verdict | None]


def length_check(body: str) -> Verdict | None:
    length = len(body.strip())
    if length < settings.COMMENT_MIN_LENGTH:
        return Verdict("refuse", "empty", "Write something first.")
    if length > settings.COMMENT_MAX_LENGTH:
        return Verdict(
            "refuse", "too_long", f"Comments are at most {settings.COMMENT_MAX_LENGTH} characters; yours has {length}."
        )
    return None


CHECKS: tuple[Check, ...] = (length_check,)


def _verdicts(body: str, author_id: int | None, content_id: int | None) -> Iterator[Verdict | None]:
    for check in CHECKS:
        yield check(body)
    yield from answers(signals.comment_submitted, Comment, body=body, author_id=author_id, content_id=content_id)


def _combined(verdicts: Iterable[Verdict | None]) -> Verdict:
    hidden: Verdict | None = None
    for verdict in verdicts:
        if verdict is None or verdict.action == "allow":
            continue
        if verdict.action == "refuse":
            return verdict
        hidden = hidden or verdict
    return hidden or ALLOW


def comment_verdict(body: str, *, author_id: int | None = None, content_id: int | None = None) -> Verdict:
    """The combined verdict of content's checks and of every ``comment_submitted`` receiver on
    ``body`` by the user ``author_id`` on the item ``content_id`` (checks on history need them)."""
    return _combined(_verdicts(body, author_id, content_id))


def profile_verdict(*, creator_id: int | None, display_name: str, bio: str, user_id: int | None) -> Verdict:
    """The combined verdict of every ``profile_submitted`` receiver on a creator's profile."""
    return _combined(
        answers(
            signals.profile_submitted,
            Creator,
            creator_id=creator_id,
            display_name=display_name,
            bio=bio,
            user_id=user_id,
        )
    )
