"""Receivers of content's signals that mark a creator's reputation stale (connected in ``ModerationConfig.ready``)."""

from __future__ import annotations

from content.models import ContentItem
from moderation.reputation.services import creator_reputation_touch


def item_changed(*, item_id: int, **_: object) -> None:
    """``content_published`` / ``content_withdrawn``: the item's creator is recomputed on the next run."""
    creator = ContentItem.objects.filter(pk=item_id).values_list("creator_id", flat=True).first()
    if creator is not None:
        creator_reputation_touch(creator_ids=[creator])
