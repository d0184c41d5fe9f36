"""Reads of the shoppers' room: their follows and interests, likes.

Reads that need the event pipeline (what a shopper saw, card counters) are in
``profiles.events.selectors``; the cart's in ``profiles.shop.selectors``.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import connection

from profiles.models import Follow, Interest, Like, Shopper


class FollowsAndInterests(NamedTuple):
    """What a shopper chose themselves: the creators they follow and the tags they picked at
    onboarding, by id."""

    creators: list[int]
    tags: list[int]


# Where authentication leaves them, read with the shopper (``remember_follows_and_interests``).
_READ_WITH_SHOPPER = "_follows_and_interests"


def follows_and_interests(*, shopper: Shopper) -> FollowsAndInterests:
    """The shopper's follows and interests: none when they came with authentication (a token
    request on PostgreSQL: ``profiles.authentication``), else one query."""
    known: FollowsAndInterests | None = getattr(shopper, _READ_WITH_SHOPPER, None)
    if known is not None:
        return known
    picks = FollowsAndInterests(creators=[], tags=[])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 'creator', creator_id FROM {Follow._meta.db_table} WHERE shopper_id = %s "
            f"UNION ALL SELECT 'tag', tag_id FROM {Interest._meta.db_table} WHERE shopper_id = %s",
            [shopper.pk, shopper.pk],
        )
        for kind, pk in cursor.fetchall():
            (picks.creators if kind == "creator" else picks.tags).append(pk)
    return picks


def remember_follows_and_interests(shopper: Shopper, picks: FollowsAndInterests) -> None:
    """Keep ``picks``, read with the shopper, on this instance: ``follows_and_interests`` answers
    from them. Only for an instance that lives no longer than the request that read them."""
    setattr(shopper, _READ_WITH_SHOPPER, picks)


def like_count(*, content_id: int) -> int:
    return Like.objects.filter(content_id=content_id).count()
