"""Reads of a creator's page: the creator with their follower count and the shopper's follow, and
a page of their posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db.models import Count, Exists, OuterRef, Value

from content.models import ContentItem, Creator
from content.selectors import creator_posts, creators_servable
from feedsite.errors import ApplicationError
from profiles.models import Follow, Shopper

_SALT = "feedsite.creator.posts"


@dataclass(frozen=True)
class CreatorPage:
    creator: Creator
    followers: int
    following: bool
    posts: list[ContentItem]
    # The cursor of the next page of posts; None on the last page.
    next_cursor: str | None


def cursor_encode(item: ContentItem) -> str:
    assert item.published_at is not None
    return signing.dumps([item.published_at.isoformat(), item.pk], salt=_SALT)


def cursor_decode(token: str) -> tuple[datetime, int]:
    """The (``published_at``, id) a cursor names; ``ApplicationError`` for anything not made here."""
    try:
        at, pk = signing.loads(token, salt=_SALT)
        return datetime.fromisoformat(at), int(pk)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise ApplicationError("This link to more posts is not valid.", code="invalid_cursor") from exc


def creator_page(*, handle: str, shopper: Shopper, cursor: str | None, limit: int) -> CreatorPage | None:
    """The page of the creator ``handle`` as ``shopper`` sees it, or None when no servable creator
    has it (unknown, not approved, blocked or below the reputation bar); 2 queries.

    Raises ``ApplicationError`` (``invalid_cursor``) for a cursor not made by this module.
    """
    before = cursor_decode(cursor) if cursor else None
    follows = Follow.objects.filter(creator=OuterRef("pk"), shopper_id=shopper.pk)
    found = (
        creators_servable()
        .filter(handle=handle)
        .annotate(
            follower_count=Count("followers", distinct=True),
            is_followed=Exists(follows) if shopper.pk is not None else Value(False),
        )
        .first()
    )
    if found is None:
        return None
    posts = creator_posts(creator_id=found.pk, before=before, limit=limit + 1)
    more = len(posts) > limit
    posts = posts[:limit]
    return CreatorPage(
        creator=found,
        followers=found.follower_count,
        following=bool(found.is_followed),
        posts=posts,
        next_cursor=cursor_encode(posts[-1]) if more else None,
    )
