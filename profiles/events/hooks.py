"""What the event pipeline tells the apps above it, without importing them (content → profiles → ranking).

An app registers a callback once, from its ``AppConfig.ready()``; the consumer calls
``batch_processed`` after a batch is stored, folded into the real-time state and acknowledged.
Callbacks run in the consumer process, in registration order; one that raises is logged and
skipped, never retried: the batch is done, and what a callback publishes is best effort.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping

from profiles.events.event import Event

logger = logging.getLogger(__name__)

# item id → the event types the batch had on it, e.g. {12: frozenset({"view", "like"})}
BatchCallback = Callable[[Mapping[int, frozenset[str]]], object]

_batch_callbacks: list[BatchCallback] = []


def on_batch_processed(callback: BatchCallback) -> BatchCallback:
    """Register ``callback`` (idempotent: registering it again keeps one). Usable as a decorator."""
    if callback not in _batch_callbacks:
        _batch_callbacks.append(callback)
    return callback


def batch_processed(events: Iterable[Event]) -> None:
    """Tell the callbacks which items a processed batch touched, and how."""
    if not _batch_callbacks:
        return
    touched: dict[int, set[str]] = {}
    for event in events:
        touched.setdefault(event.item_id, set()).add(event.type)
    if not touched:
        return
    items = {item: frozenset(types) for item, types in touched.items()}
    for callback in list(_batch_callbacks):
        try:
            callback(items)
        except Exception:
            logger.exception("batch callback %r failed", callback)
