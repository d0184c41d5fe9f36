"""``inbox_unread``: the header's count of unread messages, counted only if a template reads it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from profiles.messages.selectors import unread_count
from profiles.services import shopper_for_request


def inbox(request: HttpRequest) -> dict[str, Any]:
    return {
        "inbox_unread": SimpleLazyObject(
            lambda: unread_count(shopper=shopper_for_request(request, create=False))
            # Pages rendered before the visitor middleware ran (an early error) have nobody to count for.
            if hasattr(request, "visitor_id") or getattr(getattr(request, "user", None), "is_authenticated", False)
            else 0
        )
    }
