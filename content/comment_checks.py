"""Automatic checks on a comment before it is stored: the seam where a moderation app plugs in.

A check is a callable ``check(body: str) -> Verdict | None`` (None: nothing to say) listed in
``settings.COMMENT_CHECKS``. ``comment_verdict`` runs them in order: the first ``refuse`` wins (the
comment is not stored and the author is told why), otherwise any ``hide`` stores the comment
hidden with its reason, otherwise it is shown. A moderation app adds its own checks (a classifier,
the author's reputation) to the setting; nothing here needs to change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.utils.module_loading import import_string

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


def comment_checks() -> list[Check]:
    return [import_string(path) for path in settings.COMMENT_CHECKS]


def comment_verdict(body: str) -> Verdict:
    """The combined verdict of every configured check on ``body``."""
    hidden: Verdict | None = None
    for check in comment_checks():
        verdict = check(body)
        if verdict is None or verdict.action == "allow":
            continue
        if verdict.action == "refuse":
            return verdict
        hidden = hidden or verdict
    return hidden or ALLOW
