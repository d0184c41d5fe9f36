"""One check per ``Rule.Kind``: what ``parameter`` and ``threshold`` mean, which parts of a submission
it reads, and when it hits (with the rule's ``score`` and a reason a moderator can read).

=================  ==========================================  =====================================
kind               parameter                                   threshold
=================  ==========================================  =====================================
terms              banned words or phrases, one per line       (unused)
pattern            a Python regular expression                 (unused)
links              (unused)                                    more links than this hit (default 1)
shouting           (unused)                                    share of capitals above this (0..1)
repeat             the window in minutes                       same text more than this many times
new_account        (unused)                                    account younger than this many days
near_duplicate     (unused)                                    Hamming distance ≤ this (0..64 bits)
classifier         (unused)                                    probability ≥ this (0..1)
=================  ==========================================  =====================================
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from content.models import Comment, ContentItem, Creator
from moderation.checks import classifier as text_classifier
from moderation.models import ClassifierVersion, MediaFingerprint, Rule

logger = logging.getLogger(__name__)

Kind = Rule.Kind

CAPTION, COMMENT, PROFILE, MEDIA = "caption", "comment", "profile", "media"
_TEXT = frozenset({CAPTION, COMMENT, PROFILE})
# Which parts of a submission each kind can read (a rule's on_* booleans choose among them).
PARTS_OF_KIND: dict[str, frozenset[str]] = {
    Kind.TERMS: _TEXT,
    Kind.PATTERN: _TEXT,
    Kind.LINKS: _TEXT,
    Kind.SHOUTING: _TEXT,
    Kind.CLASSIFIER: _TEXT,
    Kind.REPEAT: frozenset({CAPTION, COMMENT}),
    Kind.NEW_ACCOUNT: _TEXT,
    Kind.NEAR_DUPLICATE: frozenset({MEDIA}),
}
_FLAG_OF_PART = {CAPTION: "on_captions", COMMENT: "on_comments", PROFILE: "on_profiles", MEDIA: "on_media"}

LINK = re.compile(r"(https?://|www\.)\S+|\b[a-z0-9-]+\.(com|net|org|shop|store|io|xyz|top|ly)\b", re.IGNORECASE)
# Fewer letters than this are never shouting ("OK", "LOL", a brand's initials).
SHOUTING_MIN_LETTERS = 8
# Earlier posts read per repeat check: a spammer's burst is far below this.
REPEAT_SCAN = 200
# Items whose media may be copied by anyone and still count: what moderators refused.
_REFUSED = (ContentItem.Status.REJECTED, ContentItem.Status.REMOVED)


@dataclass(frozen=True)
class Part:
    """One part of a submission to check: its text (captions, comments, profiles) or its media
    fingerprints, with whose it is and which stored row it is (excluded from its own history)."""

    part: str
    text: str = ""
    user_id: int | None = None
    creator_id: int | None = None
    item_id: int | None = None
    comment_id: int | None = None
    phashes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    score: float
    reason: str


@dataclass
class Context:
    """What several checks of one screening share, loaded at most once."""

    _classifier: ClassifierVersion | None = None
    _loaded: bool = False
    used_classifier: ClassifierVersion | None = field(default=None)

    def classifier(self) -> ClassifierVersion | None:
        if not self._loaded:
            self._classifier, self._loaded = text_classifier.classifier_active(), True
        return self._classifier


class RuleBroken(Exception):
    """A rule that cannot run as configured (screening skips it and says so)."""


def applies(rule: Rule, part: str) -> bool:
    return part in PARTS_OF_KIND[rule.kind] and bool(getattr(rule, _FLAG_OF_PART[part]))


def normalized(text: str) -> str:
    """Lower case, punctuation dropped, whitespace collapsed: "Buy NOW!!" and "buy now" are the same text."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def terms_of(parameter: str) -> list[str]:
    return [line.strip() for line in parameter.splitlines() if line.strip()]


@functools.lru_cache(maxsize=256)
def _pattern(source: str) -> re.Pattern[str]:
    return re.compile(source)


@functools.lru_cache(maxsize=256)
def _terms_pattern(parameter: str) -> re.Pattern[str] | None:
    terms = terms_of(parameter)
    if not terms:
        return None
    # Whole words or phrases: "idiot" hits "what an IDIOT" but not "idiotic".
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternatives})(?!\w)", re.IGNORECASE)


def check_terms(rule: Rule, part: Part, context: Context) -> Hit | None:
    pattern = _terms_pattern(rule.parameter)
    found = pattern.search(part.text) if pattern is not None else None
    return Hit(rule.score, f"Uses the banned term “{found.group(1).lower()}”.") if found else None


def check_pattern(rule: Rule, part: Part, context: Context) -> Hit | None:
    try:
        pattern = _pattern(rule.parameter)
    except re.error as exc:
        raise RuleBroken(f"The pattern is not a valid regular expression ({exc}).") from exc
    found = pattern.search(part.text)
    return Hit(rule.score, f"Matches the banned pattern at “{found.group(0)[:60]}”.") if found else None


def check_links(rule: Rule, part: Part, context: Context) -> Hit | None:
    limit = int(rule.threshold if rule.threshold is not None else 1)
    count = len(LINK.findall(part.text))
    return Hit(rule.score, f"Has {count} links (more than {limit}).") if count > limit else None


def check_shouting(rule: Rule, part: Part, context: Context) -> Hit | None:
    letters = [char for char in part.text if char.isalpha()]
    if len(letters) < SHOUTING_MIN_LETTERS or rule.threshold is None:
        return None
    share = sum(char.isupper() for char in letters) / len(letters)
    if share <= rule.threshold:
        return None
    return Hit(rule.score, f"{share:.0%} of its letters are capitals (more than {rule.threshold:.0%}).")


def check_repeat(rule: Rule, part: Part, context: Context) -> Hit | None:
    text = normalized(part.text)
    if not text or rule.threshold is None:
        return None
    minutes = int(rule.parameter or 0)
    since = timezone.now() - timedelta(minutes=minutes)
    earlier: list[str]
    if part.part == CAPTION:
        if part.creator_id is None:
            return None
        earlier = list(
            ContentItem.objects.filter(creator_id=part.creator_id, created_at__gte=since)
            .exclude(pk__in=[part.item_id] if part.item_id else [])
            .order_by("-created_at")
            .values_list("caption", flat=True)[:REPEAT_SCAN]
        )
    else:
        if part.user_id is None:
            return None
        earlier = list(
            Comment.objects.filter(author_id=part.user_id, created_at__gte=since)
            .exclude(pk__in=[part.comment_id] if part.comment_id else [])
            .order_by("-created_at")
            .values_list("body", flat=True)[:REPEAT_SCAN]
        )
    # This submission plus its earlier copies.
    times = 1 + sum(normalized(other) == text for other in earlier)
    if times <= rule.threshold:
        return None
    return Hit(rule.score, f"The same text {times} times within {minutes} minutes (more than {rule.threshold:g}).")


def check_new_account(rule: Rule, part: Part, context: Context) -> Hit | None:
    if rule.threshold is None:
        return None
    joined = None
    if part.user_id is not None:
        joined = User.objects.filter(pk=part.user_id).values_list("date_joined", flat=True).first()
    if joined is None and part.creator_id is not None:
        # A brand account may have nobody signed in as it: the account is as old as the creator.
        joined = Creator.objects.filter(pk=part.creator_id).values_list("created_at", flat=True).first()
    if joined is None:
        return None
    age = timezone.now() - joined
    if age >= timedelta(days=rule.threshold):
        return None
    return Hit(rule.score, f"The account is {age.days} days old (younger than {rule.threshold:g} days).")


def hamming(one: str, other: str) -> int:
    """Bits that differ between two 64-bit hashes written in hex."""
    return (int(one, 16) ^ int(other, 16)).bit_count()


def check_near_duplicate(rule: Rule, part: Part, context: Context) -> Hit | None:
    if not part.phashes or rule.threshold is None:
        return None
    others = (
        MediaFingerprint.objects.exclude(item_id=part.item_id)
        .filter(~Q(item__creator_id=part.creator_id) | Q(item__status__in=_REFUSED))
        .values_list("item_id", "phash")
    )
    best: tuple[int, int] | None = None
    for item_id, phash in others.iterator():
        distance = min(hamming(mine, phash) for mine in part.phashes)
        if distance <= rule.threshold and (best is None or distance < best[0]):
            best = (distance, item_id)
    if best is None:
        return None
    return Hit(
        rule.score, f"Its media is a near-duplicate of item #{best[1]} (distance {best[0]} ≤ {rule.threshold:g})."
    )


def check_classifier(rule: Rule, part: Part, context: Context) -> Hit | None:
    version = context.classifier()
    if version is None or not part.text.strip() or rule.threshold is None:
        return None
    context.used_classifier = version
    probability = text_classifier.probability(version, part.text)
    if probability < rule.threshold:
        return None
    return Hit(
        rule.score,
        f"Classifier v{version.version}: {probability:.2f} likely to be refused (≥ {rule.threshold:g}).",
    )


CHECK_OF_KIND: dict[str, Callable[[Rule, Part, Context], Hit | None]] = {
    Kind.TERMS: check_terms,
    Kind.PATTERN: check_pattern,
    Kind.LINKS: check_links,
    Kind.SHOUTING: check_shouting,
    Kind.REPEAT: check_repeat,
    Kind.NEW_ACCOUNT: check_new_account,
    Kind.NEAR_DUPLICATE: check_near_duplicate,
    Kind.CLASSIFIER: check_classifier,
}


# ---- validation (the admin form and the rule services) --------------------------------------------


def _unit(threshold: float | None) -> str | None:
    if threshold is None or not 0 < threshold <= 1:
        return "A share between 0 and 1 (e.g. 0.7)."
    return None


def _whole(threshold: float | None, low: int, high: int | None = None) -> str | None:
    if threshold is None or threshold != int(threshold) or threshold < low or (high is not None and threshold > high):
        top = f" to {high}" if high is not None else " or more"
        return f"A whole number from {low}{top}."
    return None


def _days(threshold: float | None) -> str | None:
    return "A number of days above 0." if threshold is None or threshold <= 0 else None


_THRESHOLD_CHECK: dict[str, Callable[[float | None], str | None]] = {
    Kind.LINKS: lambda threshold: _whole(threshold, 0),
    Kind.REPEAT: lambda threshold: _whole(threshold, 1),
    Kind.NEAR_DUPLICATE: lambda threshold: _whole(threshold, 0, 64),
    Kind.NEW_ACCOUNT: _days,
    Kind.SHOUTING: _unit,
    Kind.CLASSIFIER: _unit,
}


def rule_validate(*, kind: str, parameter: str, threshold: float | None, score: float) -> None:
    """Raise ``ValidationError`` (a message per field) when the rule could not run as ``kind`` says."""
    errors: dict[str, str] = {}
    if kind not in CHECK_OF_KIND:
        errors["kind"] = f"Unknown kind {kind!r}."
    if not 0 <= score <= 1:
        errors["score"] = "A score is between 0 and 1."
    if kind == Kind.TERMS and not terms_of(parameter):
        errors["parameter"] = "List at least one banned word or phrase, one per line."
    elif kind == Kind.PATTERN:
        try:
            re.compile(parameter)
        except re.error as exc:
            errors["parameter"] = f"Not a valid regular expression: {exc}."
        else:
            if not parameter or re.compile(parameter).search(""):
                errors["parameter"] = "The pattern matches empty text, so it would hit everything."
    elif kind == Kind.REPEAT and not (parameter.strip().isdigit() and int(parameter) > 0):
        errors["parameter"] = "The window in minutes, a whole number above 0."
    threshold_problem = _THRESHOLD_CHECK.get(kind, lambda threshold: None)(threshold)
    if threshold_problem:
        errors["threshold"] = threshold_problem
    if errors:
        raise ValidationError(errors)
