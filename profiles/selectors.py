"""Reads of the profiles domain."""

from __future__ import annotations

from profiles.models import Shopper


def seen_content_ids(*, shopper: Shopper) -> set[int]:
    """Content the shopper has interacted with in any way (never served again)."""
    return set(shopper.interactions.values_list("content_id", flat=True).distinct())
