"""Whose data an export or erasure covers, and where the real-time store keeps theirs: shared by
``export`` and ``erasure``.

Export and erasure reach the real-time store through ``realtime.worker_client()``: walking the
stream and the keyspace takes longer than the feed path's 250 ms socket timeout.
"""

from __future__ import annotations

from datetime import UTC, datetime

from feedsite import realtime
from feedsite.errors import ApplicationError
from profiles.events import state
from profiles.models import Shopper

# Keys per SCAN step: large enough to walk millions of keys in seconds, small enough not to block.
SCAN_COUNT = 1000


class PrivacyStoreUnavailable(ApplicationError):
    http_status = 503


def shopper_ids(shopper: Shopper) -> list[int]:
    """The shopper's id first, then the ids of the visitors merged into them; none for a visitor
    not stored yet (``Shopper`` unsaved: ``profiles.services.shopper_for_request``)."""
    if shopper.pk is None:
        return []
    merged = Shopper.objects.filter(merged_into_id=shopper.pk).order_by("pk").values_list("pk", flat=True)
    return [shopper.pk, *merged]


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def realtime_keys(shopper_id: int) -> list[str]:
    client = realtime.worker_client()
    pattern = state.shopper_key(shopper_id, "*")
    return sorted(key.decode() for key in client.scan_iter(match=pattern, count=SCAN_COUNT))
