"""A small per-process cache of values read from the database in batches, each kept for a while.

Serving asks for a few hundred things per page (card bodies, the tokens of items a shopper engaged
with, product categories) that rarely change: asking the database each time cost more than using
them. ``TimedCache.get_many`` returns what is cached and fresh, and reads the rest with one call of
the loader the caller gives. Thread-safe (a process serves requests and rebuilds snapshots on
threads); bounded by clearing everything when full, which a working set well under the bound
never meets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TimedCache(Generic[K, V]):
    def __init__(self, *, seconds: float, max_size: int) -> None:
        self.seconds = seconds
        self.max_size = max_size
        self._lock = threading.Lock()
        self._entries: dict[K, tuple[float, V]] = {}

    def get_many(self, keys: Iterable[K], load: Callable[[list[K]], Mapping[K, V]]) -> dict[K, V]:
        """The values of ``keys``: cached ones younger than ``seconds``, the others from one
        ``load(missing)``. A key ``load`` does not answer is left out (and asked again next time)."""
        now = time.monotonic()
        found: dict[K, V] = {}
        missing: list[K] = []
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is not None and now - entry[0] < self.seconds:
                    found[key] = entry[1]
                else:
                    missing.append(key)
        if missing:
            loaded = load(missing)
            self.put_many(loaded, at=now)
            found.update(loaded)
        return found

    def put_many(self, values: Mapping[K, V], *, at: float | None = None) -> None:
        """Cache ``values`` as read at ``at`` (``time.monotonic()``; default now)."""
        at = time.monotonic() if at is None else at
        with self._lock:
            if len(self._entries) + len(values) > self.max_size:
                self._entries.clear()
            self._entries.update((key, (at, value)) for key, value in values.items())

    def forget(self, keys: Collection[K] | None = None) -> None:
        """Drop ``keys`` (all when ``None``): their next read goes to the loader."""
        with self._lock:
            if keys is None:
                self._entries.clear()
            for key in keys or ():
                self._entries.pop(key, None)
