"""Who sees a dashboard: the approved creator behind the signed-in account, and nobody else."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from content.models import Creator
from feedsite.errors import ApplicationError, Forbidden
from profiles.events.creator_stats import MAX_DAYS

DEFAULT_DAYS = 30


def dashboard_creator(user: AbstractBaseUser | AnonymousUser) -> Creator:
    """The user's creator profile if it is approved; raises ``Forbidden`` (``not_a_creator``) otherwise."""
    creator = (
        Creator.objects.filter(user_id=user.pk, status=Creator.Status.APPROVED).first()
        if user.is_authenticated
        else None
    )
    if creator is None:
        raise Forbidden("Only an approved creator has a dashboard.", code="not_a_creator")
    return creator


def period_days(raw: str | None) -> int:
    """The ``days`` query parameter: a whole number of days from 1 to ``MAX_DAYS``, ``DEFAULT_DAYS`` when absent."""
    if raw is None or raw == "":
        return DEFAULT_DAYS
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise ApplicationError(
            f"days must be a whole number of days from 1 to {MAX_DAYS}.",
            code="invalid_days",
            extra={"days": raw[:20], "max": MAX_DAYS},
        )
    return int(raw)
