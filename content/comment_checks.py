"""Automatic checks on a comment before it is stored: the seam where a moderation app plugs in.

A check is a callable ``check(body: str) -> Verdict | None`` (None: nothing to say).
``comment_verdict`` runs content's own (``CHECKS``), then asks the receivers of
``signals.comment_submitted``, which answer the same way: the first ``refuse`` wins (the comment
is not stored and the author is told why), otherwise any ``hide`` stores the comment hidden with
its reason, otherwise it is shown. A moderation app connects its own checks (a classifier, the
author's reputation) in its ``AppConfig.ready()``; nothing here needs to change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from django.conf import settings

from content import signals
from content.models import Comment
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

_LINK = re.compile(r"(https?://|www\.)\S+|\b[a-z0-9-]+\.(com|net|org|shop|store|io|xyz|top|ly)\b", re.IGNORECASE)


def length_check(body: str) -> Verdict | None:
    length = len(body.strip())
    if length < settings.COMMENT_MIN_LENGTH:
        return Verdict("refuse", "empty", "Write something first.")
    if length > settings.COMMENT_MAX_LENGTH:
        return Verdict(
            "refuse", "too_long", f"Comments are at most {settings.COMMENT_MAX_LENGTH} characters; yours has {length}."
        )
    return None


def banned_words_check(body: str) -> Verdict | None:
    words = "|".join(re.escape(word) for word in settings.COMMENT_BANNED_WORDS)
    if words and re.search(rf"\b({words})\b", body, re.IGNORECASE):
        return Verdict("refuse", "banned_words", "Please keep it kind: your comment uses words we don't allow.")
    return None


def link_spam_check(body: str) -> Verdict | None:
    if len(_LINK.findall(body)) > settings.COMMENT_MAX_LINKS:
        return Verdict("hide", "links", "Comments with several links are checked by a moderator before they show.")
    return None


CHECKS: tuple[Check, ...] = (length_check, banned_words_check, link_spam_check)


def _verdicts(body: str) -> Iterator[Verdict | None]:
    for check in CHECKS:
        yield check(body)
    yield from answers(signals.comment_submitted, Comment, body=body)


def comment_verdict(body: str) -> Verdict:
    """The combined verdict of content's checks and of every ``comment_submitted`` receiver on ``body``."""
    hidden: Verdict | None = None
    for verdict in _verdicts(body):
        if verdict is None or verdict.action == "allow":
            continue
        if verdict.action == "refuse":
            return verdict
        hidden = hidden or verdict
    return hidden or ALLOW
