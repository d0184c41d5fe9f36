"""Screening: every applicable rule run on a submission, the outcome stored with each check's score and
reason, and the outcome carried out (publish, hold with a case, reject).

Items are screened by a Celery task once they enter review; comments and profiles are screened
twice, synchronously: before they are stored (the verdict decides whether they are stored, and
how), and after (the same checks, the row itself left out of its own history, recorded against the
stored row with a case when held).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction

from content.comment_checks import Verdict
from content.models import Comment, ContentItem, Creator
from content.services import comment_set_status, content_publish, content_reject
from moderation.audit import audit_record
from moderation.checks.fingerprints import item_fingerprints_store
from moderation.checks.rules import (
    CAPTION,
    CHECK_OF_KIND,
    COMMENT,
    MEDIA,
    PROFILE,
    Context,
    Hit,
    Part,
    RuleBroken,
    applies,
)
from moderation.models import AuditEntry, Case, ClassifierVersion, Rule, Screening
from moderation.models.checks import Outcome
from moderation.queue.services import case_open

logger = logging.getLogger(__name__)

_STRENGTH: dict[str, int] = {Outcome.ALLOW: 0, Outcome.HOLD: 1, Outcome.REJECT: 2}
# What the author is told when a rule without a message of its own refuses.
REFUSED = {
    COMMENT: "Your comment was not posted: {reason}",
    PROFILE: "Your profile was not saved: {reason}",
    CAPTION: "Your post was not accepted: {reason}",
}
HELD_COMMENT = "Your comment is checked by a moderator before it shows."


@dataclass(frozen=True)
class Evaluation:
    """The checks' result before anything is stored. ``reason`` is the deciding rule's kind (machine
    readable), ``message`` what its author is told (the rule's message, or its reason)."""

    outcome: str
    risk: float
    checks: list[dict[str, Any]]
    classifier: ClassifierVersion | None
    reason: str = ""
    message: str = ""


def evaluate(parts: Sequence[Part]) -> Evaluation:
    """Run every enabled rule that applies to each part. The outcome is the strongest action among
    the hits (reject, then hold, else allow) and the risk the highest score of a hit (0 without).
    A rule that cannot run (a broken pattern) is recorded as skipped and never fails screening."""
    rules = list(Rule.objects.filter(enabled=True).order_by("name"))
    context = Context()
    checks: list[dict[str, Any]] = []
    deciding: tuple[Rule, Part, Hit] | None = None
    for part in parts:
        for rule in rules:
            if not applies(rule, part.part):
                continue
            try:
                hit = CHECK_OF_KIND[rule.kind](rule, part, context)
            except RuleBroken as broken:
                logger.warning("screening: rule %r skipped: %s", rule.name, broken)
                hit, skipped = None, f"Skipped: {broken}"
            else:
                skipped = ""
            checks.append(
                {
                    "check": rule.name,
                    "kind": rule.kind,
                    "part": part.part,
                    "score": hit.score if hit else 0.0,
                    "reason": hit.reason if hit else skipped,
                    "outcome": rule.action if hit else Outcome.ALLOW,
                }
            )
            if hit is not None and (
                deciding is None
                or (_STRENGTH[rule.action], hit.score) > (_STRENGTH[deciding[0].action], deciding[2].score)
            ):
                deciding = (rule, part, hit)
    if deciding is None:
        return Evaluation(Outcome.ALLOW, 0.0, checks, context.used_classifier)
    rule, part, hit = deciding
    message = rule.message or REFUSED.get(part.part, "{reason}").format(reason=hit.reason)
    return Evaluation(
        rule.action,
        max(entry["score"] for entry in checks),
        checks,
        context.used_classifier,
        reason=rule.kind,
        message=message,
    )


def parts_of(subject: ContentItem | Comment | Creator) -> list[Part]:
    """What the rules read of a stored subject. An item's media is fingerprinted (and the
    fingerprints stored) here."""
    if isinstance(subject, ContentItem):
        user_id = subject.creator.user_id if subject.creator is not None else None
        caption = Part(CAPTION, subject.caption, user_id=user_id, creator_id=subject.creator_id, item_id=subject.pk)
        return [caption, replace(caption, part=MEDIA, text="", phashes=item_fingerprints_store(item=subject))]
    if isinstance(subject, Comment):
        return [Part(COMMENT, subject.body, user_id=subject.author_id, comment_id=subject.pk)]
    return [
        profile_part(creator_id=subject.pk, display_name=subject.display_name, bio=subject.bio, user_id=subject.user_id)
    ]


def profile_part(*, creator_id: int | None, display_name: str, bio: str, user_id: int | None) -> Part:
    return Part(PROFILE, f"{display_name}\n{bio}".strip(), user_id=user_id, creator_id=creator_id)


def screening_run(subject: ContentItem | Comment | Creator) -> Screening:
    """Run every applicable check on ``subject`` (an item: caption and media; a comment; a creator's
    profile) and store the outcome with every check's score and reason; returns the ``Screening``.
    Carries nothing out (see ``item_screen``, ``comment_screened``, ``profile_screened``)."""
    return _screen(subject)[0]


def _screen(subject: ContentItem | Comment | Creator) -> tuple[Screening, Evaluation]:
    evaluation = evaluate(parts_of(subject))
    if isinstance(subject, ContentItem):
        target: dict[str, Any] = {"subject": Screening.Subject.ITEM, "item": subject}
    elif isinstance(subject, Comment):
        target = {"subject": Screening.Subject.COMMENT, "comment": subject}
    else:
        target = {"subject": Screening.Subject.PROFILE, "creator": subject}
    screening = Screening.objects.create(
        **target,
        outcome=evaluation.outcome,
        risk=evaluation.risk,
        checks=evaluation.checks,
        classifier=evaluation.classifier,
    )
    return screening, evaluation


def _audit(screening: Screening, target: ContentItem | Comment | Creator) -> None:
    audit_record(
        actor=None,
        action=AuditEntry.Action.SCREEN,
        target=target,
        data={"outcome": screening.outcome, "risk": screening.risk, "checks": screening.checks},
    )


def item_screen(*, item_id: int) -> Screening | None:
    """Screen an item in review and carry out the outcome: allow publishes it (or schedules it),
    hold leaves it in review with a case (why ``held``, the screening's risk), reject rejects it
    with the deciding rule's message. Each outcome is audited (actor: the system).

    Idempotent: an item that is gone, no longer in review, or already screened since it was
    submitted is left alone (returns None)."""
    with transaction.atomic():
        item = ContentItem.objects.select_for_update(of=("self",)).select_related("creator").filter(pk=item_id).first()
        if item is None or item.status != ContentItem.Status.PENDING:
            return None
        earlier = Screening.objects.filter(item=item)
        if item.submitted_at is not None:
            earlier = earlier.filter(at__gte=item.submitted_at)
        if earlier.exists():
            return None
        screening, evaluation = _screen(item)
        _audit(screening, item)
        if screening.outcome == Outcome.ALLOW:
            content_publish(item=item)
        elif screening.outcome == Outcome.HOLD:
            case_open(item=item, why=Case.Why.HELD, risk=screening.risk)
        else:
            content_reject(item=item, reason=evaluation.message)
    return screening


def verdict_of(evaluation: Evaluation, *, held: str = "") -> Verdict | None:
    """A comment's or profile's verdict (``content.comment_checks``): reject refuses, hold hides."""
    if evaluation.outcome == Outcome.REJECT:
        return Verdict("refuse", evaluation.reason, evaluation.message)
    if evaluation.outcome == Outcome.HOLD:
        return Verdict("hide", evaluation.reason, held)
    return None


def comment_screened(*, comment: Comment) -> Screening:
    """Record the screening of a stored comment; when it holds, hide the comment (if a race left it
    visible) and open a case for it, audited."""
    screening, evaluation = _screen(comment)
    if screening.outcome != Outcome.ALLOW:
        if comment.status != Comment.Status.HIDDEN:
            comment_set_status(comment=comment, status=Comment.Status.HIDDEN, reason=evaluation.reason)
        case_open(comment=comment, why=Case.Why.HELD, risk=screening.risk)
        _audit(screening, comment)
    return screening


def profile_screened(*, creator: Creator) -> Screening:
    """Record the screening of a stored profile; when it holds, open a case for the creator, audited."""
    screening = screening_run(creator)
    if screening.outcome != Outcome.ALLOW:
        case_open(creator=creator, why=Case.Why.HELD, risk=screening.risk)
        _audit(screening, creator)
    return screening
