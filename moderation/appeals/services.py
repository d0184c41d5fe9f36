"""Writes of appeals: a creator contests a moderator's rejection or removal of their post, once."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from rest_framework import status

from content.models import ContentItem, Creator
from content.services import content_appeal_mark
from feedsite.errors import ApplicationError, NotFound
from moderation.appeals import selectors
from moderation.audit import audit_record
from moderation.models import Appeal, AuditEntry, Case
from moderation.queue.services import case_open

MESSAGE_MAX = 1000


class AppealRefused(ApplicationError):
    """The post is in no state to be appealed (``not_appealable``) or was appealed (``appeal_used``)."""

    http_status = status.HTTP_409_CONFLICT


def appeal_create(*, creator: Creator, item: ContentItem, message: str) -> Appeal:
    """``creator`` appeals the moderator's decision that rejected or removed ``item``, their own post.

    Stamps the item (``content_appeal_mark``), stores the ``Appeal`` with the contested status and
    the moderator who decided (``selectors.contested_decision``), opens or raises the item's case
    (``why=APPEAL``, ``not_for`` that moderator: someone else decides it) and records ``APPEAL``
    in the audit log (actor: the creator's account). One transaction, the item locked.

    Refuses, writing nothing: another creator's post (``NotFound``), a blank message
    (``message_required``) or one over ``MESSAGE_MAX`` characters (``message_too_long``), a post
    appealed before (``appeal_used``, 409) and a post no moderator rejected or removed — pending,
    live, hidden pending review, rejected by an automatic check, deleted by its creator
    (``not_appealable``, 409).
    """
    if item.creator_id != creator.pk:
        raise NotFound("You have no post with this id.")
    message = message.strip()
    if not message:
        raise ApplicationError("Say why the decision should change.", code="message_required")
    if len(message) > MESSAGE_MAX:
        raise ApplicationError(f"An appeal has at most {MESSAGE_MAX} characters.", code="message_too_long")
    with transaction.atomic():
        try:
            item = content_appeal_mark(item=item)  # holds the item's row lock until we commit
        except ApplicationError as used:
            raise AppealRefused(used.message, code=used.code) from used
        decision = selectors.contested_decision(item)
        if decision is None:
            raise AppealRefused(
                "Only a post a moderator rejected or removed can be appealed.",
                code="not_appealable",
                extra={"status": item.status},
            )
        appeal = Appeal.objects.create(
            item=item,
            message=message,
            contested_status=item.status,
            contested_by=decision.actor,
            at=timezone.now(),
        )
        case = case_open(item=item, why=Case.Why.APPEAL, not_for=decision.actor)
        appeal.case = case
        appeal.save(update_fields=["case"])
        audit_record(
            actor=creator.user,
            action=AuditEntry.Action.APPEAL,
            target=item,
            note=message,
            data={"appeal": appeal.pk, "case": case.pk, "contested": decision.pk, "status": item.status},
        )
    return appeal
