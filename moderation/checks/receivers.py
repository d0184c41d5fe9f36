"""Moderation's answers to content's signals (connected in ``ModerationConfig.ready``)."""

from __future__ import annotations

from typing import Any

from content.comment_checks import Verdict
from content.models import Comment, Creator
from moderation.checks.rules import COMMENT, Part
from moderation.checks.screening import (
    HELD_COMMENT,
    comment_screened,
    evaluate,
    profile_part,
    profile_screened,
    verdict_of,
)
from moderation.checks.tasks import classifier_retrain_if_due, screen_item_enqueue

HELD_PROFILE = "Your profile is checked by a moderator."


def on_content_submitted(sender: Any, item_id: int, **kwargs: Any) -> None:
    screen_item_enqueue(item_id)


def on_comment_submitted(
    sender: Any, body: str, author_id: int | None = None, content_id: int | None = None, **kwargs: Any
) -> Verdict | None:
    return verdict_of(evaluate([Part(COMMENT, body, user_id=author_id)]), held=HELD_COMMENT)


def on_comment_created(sender: Any, comment_id: int, **kwargs: Any) -> None:
    comment_screened(comment=Comment.objects.get(pk=comment_id))


def on_profile_submitted(
    sender: Any, creator_id: int | None, display_name: str, bio: str, user_id: int | None, **kwargs: Any
) -> Verdict | None:
    part = profile_part(creator_id=creator_id, display_name=display_name, bio=bio, user_id=user_id)
    return verdict_of(evaluate([part]), held=HELD_PROFILE)


def on_profile_saved(sender: Any, creator_id: int, **kwargs: Any) -> None:
    profile_screened(creator=Creator.objects.get(pk=creator_id))


def on_decision_taken(**_: object) -> None:
    """``moderation.signals.decision_taken``: decisions are the classifier's training data."""
    classifier_retrain_if_due()
