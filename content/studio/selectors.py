"""Reads of the studio: a creator's own posts with what their rows show, product and tag search."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, Q, QuerySet

from content import signals
from content.models import ContentItem, ContentMedia, ContentProduct, Creator, Product, Tag
from feedsite.dispatch import answers

Status = ContentItem.Status

SEARCH_LIMIT = 20
TAG_SUGGESTIONS = 10
# What a creator's status means, when no reason was given (status_reason says more when set).
STATUS_EXPLAINED: dict[str, str] = {
    Status.PROCESSING: "We are preparing your media; it is usually ready within a minute or two.",
    Status.FAILED: "Processing failed.",
    Status.DRAFT: "Saved as a draft: only you see it.",
    Status.PENDING: "Waiting for a moderator; it goes live once approved.",
    Status.SCHEDULED: "Approved; it goes live at the scheduled time.",
    Status.PUBLISHED: "Live in the feed.",
    Status.REJECTED: "A moderator rejected it.",
    Status.HIDDEN: "Hidden from the feed until a moderator reviews it.",
    Status.REMOVED: "A moderator removed it.",
}
# What ``studio_states`` answers for an item nobody else said anything about.
NO_STATE: dict[str, Any] = {"decision": None, "appeal": None, "can_appeal": False, "appeal_url": None}


def creator_of(user: User | AnonymousUser | None) -> Creator | None:
    """The creator row of ``user`` (any status), or ``None``."""
    if user is None or not user.is_authenticated:
        return None
    return Creator.objects.filter(user=user).first()


def _with_rows(items: QuerySet[ContentItem]) -> QuerySet[ContentItem]:
    return items.prefetch_related(
        "tags",
        Prefetch(
            "product_links", queryset=ContentProduct.objects.select_related("product__brand").order_by("position")
        ),
        Prefetch("media_files", queryset=ContentMedia.objects.order_by("position")),
    )


def _listed(creator: Creator) -> QuerySet[ContentItem]:
    """The creator's posts the studio lists: all but removed ones, and those removed ones the apps
    above let through (``signals.studio_removed_listed``: a moderator's removal); never a post the
    creator deleted."""
    listed = ~Q(status=Status.REMOVED)
    conditions = answers(signals.studio_removed_listed, ContentItem)
    if conditions:
        listed |= Q(Q(status=Status.REMOVED), *conditions)
    return ContentItem.objects.filter(listed, creator=creator)


def studio_items(*, creator: Creator, before_id: int | None = None, limit: int = 20) -> list[ContentItem]:
    """The creator's own posts (see ``_listed``), newest first, below ``before_id``; 4 queries."""
    items = _listed(creator).order_by("-pk")
    if before_id is not None:
        items = items.filter(pk__lt=before_id)
    return list(_with_rows(items)[:limit])


def studio_item(*, creator: Creator, item_id: int) -> ContentItem | None:
    return _with_rows(_listed(creator).filter(pk=item_id)).first()


def studio_states(items: list[ContentItem]) -> dict[int, dict[str, Any]]:
    """What the apps above say about each item (``signals.studio_item_states``), every key of
    ``NO_STATE`` present; a fixed number of queries per receiver, none without items."""
    states: dict[int, dict[str, Any]] = {item.pk: dict(NO_STATE) for item in items}
    if not items:
        return states
    for answer in answers(signals.studio_item_states, ContentItem, items=items):
        for item_id, state in answer.items():
            if item_id in states:
                states[item_id].update(state)
    return states


def status_reason(item: ContentItem) -> str:
    """What the creator is told about the item's state."""
    return item.status_reason or STATUS_EXPLAINED.get(item.status, "")


def product_search(*, query: str, limit: int = SEARCH_LIMIT) -> list[Product]:
    """Active products whose title or brand contains ``query``, in stock first, then by title."""
    query = query.strip()
    if not query:
        return []
    matches = Product.objects.filter(Q(title__icontains=query) | Q(brand__name__icontains=query), active=True)
    return sorted(matches.select_related("brand").order_by("title")[: limit * 2], key=lambda p: not p.in_stock)[:limit]


def products_by_ids(ids: list[int]) -> list[Product]:
    found = Product.objects.select_related("brand").in_bulk(ids)
    return [found[pid] for pid in ids if pid in found]


def tag_suggestions(*, query: str, limit: int = TAG_SUGGESTIONS) -> list[Tag]:
    """Tags whose slug or name starts with ``query`` (then contain it), for the tag field's autocomplete."""
    query = query.strip().lstrip("#")
    if not query:
        return []
    starts = list(Tag.objects.filter(Q(slug__istartswith=query) | Q(name__istartswith=query)).order_by("name")[:limit])
    if len(starts) < limit:
        seen = [tag.pk for tag in starts]
        starts += Tag.objects.filter(name__icontains=query).exclude(pk__in=seen).order_by("name")[: limit - len(starts)]
    return starts
