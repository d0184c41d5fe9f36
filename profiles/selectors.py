"""Reads of the profiles domain."""

from __future__ import annotations

import contextlib

from feedsite import realtime
from profiles.events import state
from profiles.models import Shopper


def seen_content_ids(*, shopper: Shopper) -> set[int]:
    """Content the shopper has interacted with in any way (never served again).

    The stored interactions plus the shopper's recent list in the real-time store, which holds
    events accepted a moment ago that the consumer has not written yet (read-your-writes).
    """
    seen = set(shopper.interactions.values_list("content_id", flat=True).distinct())
    # With the store down, the database alone is a little behind, never wrong.
    with contextlib.suppress(*realtime.RealtimeUnavailable):
        seen.update(item for item, _, _ in state.shopper_recent(shopper.pk))
    return seen
