"""Celery tasks of the moderation app: each named explicitly, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from moderation.services import creator_reputations_recompute


@shared_task(name="moderation.recompute_reputations")
def recompute_reputations() -> int:
    """Hourly (beat): every creator's reputation from removed items and hides; returns how many."""
    return creator_reputations_recompute()
