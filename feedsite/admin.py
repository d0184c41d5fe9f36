"""Admin helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib import admin, messages
from django.http import HttpRequest

from feedsite.errors import ApplicationError

T = TypeVar("T")

# Refusals reported one by one, then summed up: a "select all" over thousands of rows stays readable.
REFUSALS_LISTED = 10


class ReadOnlyAdminMixin:
    """View only: no add, change or delete, whatever the user's permissions."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def apply_each(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    rows: Iterable[T],
    act: Callable[[T], object],
    *,
    done: Callable[[int], str],
    refusal: Callable[[T, ApplicationError], str],
    rest: str,
) -> int:
    """Run ``act`` (a service call) on each row on its own: one refusal neither stops nor undoes the
    others. Tells the user ``done(count)``, the first ``REFUSALS_LISTED`` refusals, then how many
    more ``rest`` were left unchanged. Returns how many rows were done."""
    count, refusals = 0, []
    for row in rows:
        try:
            act(row)
        except ApplicationError as refused:
            refusals.append(refusal(row, refused))
        else:
            count += 1
    if count:
        model_admin.message_user(request, done(count), messages.SUCCESS)
    for text in refusals[:REFUSALS_LISTED]:
        model_admin.message_user(request, text, messages.ERROR)
    if len(refusals) > REFUSALS_LISTED:
        model_admin.message_user(
            request, f"{len(refusals) - REFUSALS_LISTED} more {rest} were left unchanged.", messages.ERROR
        )
    return count
