"""The event contract of ``POST /api/v1/events``: one raw JSON object in, a valid ``Event`` or a reason out.

Plain Python rather than DRF serializers: ingestion validates thousands of events a second and
every rejection needs a short machine-readable reason for its index in the batch.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from profiles.events.event import Event
from profiles.events.types import CLIENT_TYPES

DEVICE_CLASSES = frozenset({"mobile", "tablet", "desktop", "tv", "unknown"})

EVENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{7,63}$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
# A clock a little fast is normal; beyond this the event is refused rather than trusted.
MAX_FUTURE = timedelta(minutes=5)
# Older than this is not "while the shopper is still scrolling": a client replaying a stale queue.
MAX_AGE = timedelta(days=3)
MAX_DWELL_MS = 6 * 3600 * 1000
MAX_POSITION = 10_000
MAX_CONTEXT_BYTES = 1024
_KNOWN_FIELDS = frozenset(
    {
        "event_id",
        "type",
        "item",
        "ts",
        "session_id",
        "request_id",
        "position",
        "dwell_ms",
        "value",
        "product",
        "context",
    }
)


class Rejected(ValueError):
    """The event is refused; ``reason`` is the machine-readable code returned to the client."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail or reason


def _int(raw: Any, name: str, low: int, high: int) -> int:
    # ``is_integer`` is false for infinity too, which JSON brings from a literal such as ``1e400``.
    if isinstance(raw, bool) or not isinstance(raw, int | float) or (isinstance(raw, float) and not raw.is_integer()):
        raise Rejected(f"invalid_{name}", f"{name} must be a whole number")
    if not low <= raw <= high:
        raise Rejected(f"invalid_{name}", f"{name} must be between {low} and {high}")
    return int(raw)


def _timestamp(raw: Any, now: datetime) -> datetime:
    if isinstance(raw, bool):
        raise Rejected("invalid_ts", "ts must be ISO-8601 with an offset or Unix seconds")
    try:
        if isinstance(raw, int | float):
            ts = datetime.fromtimestamp(raw, tz=UTC)
        elif isinstance(raw, str):
            ts = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if ts.tzinfo is None:
                raise Rejected("invalid_ts", "ts needs a UTC offset")
        else:
            raise Rejected("invalid_ts", "ts must be ISO-8601 with an offset or Unix seconds")
    except (ValueError, OverflowError, OSError) as exc:
        if isinstance(exc, Rejected):
            raise
        raise Rejected("invalid_ts", "ts is not a valid time") from exc
    if ts > now + MAX_FUTURE:
        raise Rejected("ts_in_future", "ts is more than 5 minutes in the future")
    if ts < now - MAX_AGE:
        raise Rejected("ts_too_old", "ts is more than 3 days old")
    ts = min(ts, now)
    if ts.microsecond % 1000:  # to the millisecond, as the stream carries it
        ts = datetime.fromtimestamp(round(ts.timestamp(), 3), tz=UTC)
    return ts


def _context(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise Rejected("invalid_context", "context must be an object")
    context: dict[str, Any] = {}
    device = raw.get("device")
    if device is not None:
        if not isinstance(device, str) or device not in DEVICE_CLASSES:
            raise Rejected("invalid_context", f"context.device must be one of {sorted(DEVICE_CLASSES)}")
        context["device"] = device
    viewport = raw.get("viewport")
    if viewport is not None:
        if (
            not isinstance(viewport, list)
            or len(viewport) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 20_000 for v in viewport)
        ):
            raise Rejected("invalid_context", "context.viewport must be [width, height] in pixels")
        context["viewport"] = viewport
    progress = raw.get("progress")
    if progress is not None:
        if progress not in (25, 50, 75, 100):
            raise Rejected("invalid_context", "context.progress must be 25, 50, 75 or 100")
        context["progress"] = progress
    surface = raw.get("surface")
    if surface is not None:
        if not isinstance(surface, str) or not TOKEN_RE.match(surface):
            raise Rejected("invalid_context", "context.surface must be a short token")
        context["surface"] = surface
    if len(repr(raw)) > MAX_CONTEXT_BYTES:
        raise Rejected("invalid_context", "context is too large")
    return context


def parse_event(raw: Any, *, shopper_id: int, now: datetime, allowed_types: frozenset[str] = CLIENT_TYPES) -> Event:
    """Validate one raw event of ``shopper_id``; raises ``Rejected`` with the first problem found.
    ``allowed_types``: the types accepted (a client's by default; the server's own add to them)."""
    if not isinstance(raw, dict):
        raise Rejected("not_an_object", "each event must be a JSON object")
    unknown = set(raw) - _KNOWN_FIELDS
    if unknown:
        raise Rejected("unknown_field", f"unknown field(s): {', '.join(sorted(unknown))}")
    event_id = raw.get("event_id")
    if not isinstance(event_id, str) or not EVENT_ID_RE.match(event_id):
        raise Rejected("invalid_event_id", "event_id must be 8-64 characters of letters, digits and _.:-")
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in allowed_types:
        raise Rejected("invalid_type", f"type must be one of {sorted(allowed_types | {'search'})}")
    if "item" not in raw:
        raise Rejected("missing_item", "item is required")
    item = _int(raw["item"], "item", 1, 2**63 - 1)
    if "ts" not in raw:
        raise Rejected("missing_ts", "ts is required")
    ts = _timestamp(raw["ts"], now)
    tokens = {}
    for name in ("session_id", "request_id"):
        value = raw.get(name) or ""
        if value and (not isinstance(value, str) or not TOKEN_RE.match(value)):
            raise Rejected(f"invalid_{name}", f"{name} must be a token of up to 64 characters")
        tokens[name] = value
    position = raw.get("position")
    dwell_ms = raw.get("dwell_ms")
    value = raw.get("value")
    product = raw.get("product")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > 1e6):
        raise Rejected("invalid_value", "value must be a number")
    return Event(
        event_id=event_id,
        shopper_id=shopper_id,
        item_id=item,
        type=kind,
        occurred_at=ts,
        session_id=tokens["session_id"],
        request_id=tokens["request_id"],
        position=None if position is None else _int(position, "position", 0, MAX_POSITION),
        dwell_ms=None if dwell_ms is None else _int(dwell_ms, "dwell_ms", 0, MAX_DWELL_MS),
        value=None if value is None else float(value),
        product_id=None if product is None else _int(product, "product", 1, 2**63 - 1),
        context=_context(raw.get("context")),
    )
