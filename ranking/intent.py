"""Search intent in the feed: what a shopper just searched for comes first on their next pages.

A ``search`` event leaves decayed intent on brands, creators and tags (``state.shopper_intent``,
half-life 30 minutes). The feed uses it twice, bounded both times:
- a ranked candidate whose brand or creator carries intent gets ``INTENT_LIFT`` × that intent
  (≤ 1 per label, so at most ``2 × INTENT_LIFT``) added to its model score;
- the popular/fresh fallback (no trained ranker) serves up to ``INTENT_ITEMS`` items carrying
  the intent's brands (their own or their products'), creators or tags first, reason ``search``.
Without consent or a stored shopper there is no intent.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from content.models import ContentItem
from feedsite import realtime
from profiles.events import state
from profiles.models import Shopper

INTENT_LIFT = 0.5
INTENT_ITEMS = 6


def intent_of(shopper: Shopper) -> dict[str, float]:
    """The shopper's current search intent; empty without consent, a stored shopper or the store."""
    if not shopper.personalization or shopper.pk is None:
        return {}
    try:
        return state.shopper_intent(shopper.pk)
    except realtime.RealtimeUnavailable:
        return {}


def intent_lift(intent: dict[str, float], *, brand: int | None, creator: int | None) -> float:
    """What a candidate's score gains from the intent on its brand and creator (bounded, ≥ 0)."""
    if not intent:
        return 0.0
    lift = min(intent.get(f"brand:{brand}", 0.0), 1.0) + min(intent.get(f"creator:{creator}", 0.0), 1.0)
    return INTENT_LIFT * lift


def intent_items(intent: dict[str, float], base: QuerySet[ContentItem], *, limit: int) -> list[int]:
    """Up to ``limit`` of ``base`` carrying the intent's brands, creators or tags: most engaging first."""
    ids: dict[str, list[int]] = {"brand": [], "creator": [], "tag": []}
    for dim in intent:
        kind, _, pk = dim.partition(":")
        if kind in ids and pk.isdigit():
            ids[kind].append(int(pk))
    if not any(ids.values()):
        return []
    matching = base.filter(
        Q(brand_id__in=ids["brand"])
        | Q(product_links__product__brand_id__in=ids["brand"])
        | Q(creator_id__in=ids["creator"])
        | Q(tags__in=ids["tag"])
    )
    ordered = matching.order_by("-engagement", "-published_at", "-id").values_list("pk", flat=True)
    return list(dict.fromkeys(ordered[: limit * 4]))[:limit]
