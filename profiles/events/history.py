"""Writes to the stored event log outside the consumer: moves on sign-in, and items' engagement counts."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from content.services import content_engagement_refresh
from profiles.events.models import Interaction
from profiles.models import Shopper


def interactions_merge(sender: object, *, source: Shopper, target: Shopper, **kwargs: object) -> None:
    """``profiles.signals.shopper_merged``: the visitor's interactions move to the account."""
    Interaction.objects.filter(shopper=source).update(shopper=target)


def engagement_refresh() -> int:
    """Recount every content item's ``engagement`` from its interactions; returns rows updated."""
    counts = (
        Interaction.objects.filter(content=OuterRef("pk"))
        .order_by()
        .values("content")
        .annotate(n=Count("id"))
        .values("n")
    )
    return content_engagement_refresh(counted=Coalesce(Subquery(counts), 0))
