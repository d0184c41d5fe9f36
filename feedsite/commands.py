"""Argument types shared by the profiles management commands."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.management.base import CommandError


def aware_datetime(value: str) -> datetime:
    """An ISO-8601 time for ``--before`` / ``--since``; without an offset it is read as UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not an ISO-8601 time: {value!r}") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
