"""``Event``: one accepted event, typed, from validation through the stream to the stored row.

The stream (and the ``EventBacklog`` table) carry it as a compact JSON object; ``to_wire`` and
``from_wire`` are the only code that knows that format. Its keys are those the stream has always
carried, so entries written before ``Event`` existed are read like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    shopper_id: int
    item_id: int
    type: str
    # Aware; the stream carries it to the millisecond (``timestamp``).
    occurred_at: datetime
    session_id: str = ""
    request_id: str = ""
    position: int | None = None
    dwell_ms: int | None = None
    value: float | None = None
    product_id: int | None = None
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def timestamp(self) -> float:
        """``occurred_at`` in Unix seconds to the millisecond: what the stream carries and the
        real-time state computes with."""
        return round(self.occurred_at.timestamp(), 3)

    def to_wire(self) -> dict[str, Any]:
        """The stream entry: compact and JSON-safe; empty optional fields are left out."""
        wire: dict[str, Any] = {
            "e": self.event_id,
            "t": self.type,
            "i": self.item_id,
            "s": self.shopper_id,
            "ts": self.timestamp,
        }
        optional = {
            "sid": self.session_id,
            "rid": self.request_id,
            "pos": self.position,
            "dw": self.dwell_ms,
            "v": self.value,
            "p": self.product_id,
            "c": self.context,
        }
        wire.update({k: v for k, v in optional.items() if v not in (None, "", {})})
        return wire

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> Event:
        """The event of a stream entry (``to_wire``'s); ``KeyError`` or ``TypeError`` when malformed."""
        return cls(
            event_id=wire["e"],
            shopper_id=wire["s"],
            item_id=wire["i"],
            type=wire["t"],
            occurred_at=datetime.fromtimestamp(wire["ts"], tz=UTC),
            session_id=wire.get("sid", ""),
            request_id=wire.get("rid", ""),
            position=wire.get("pos"),
            dwell_ms=wire.get("dw"),
            value=wire.get("v"),
            product_id=wire.get("p"),
            context=wire.get("c") or {},
        )
