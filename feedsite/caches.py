"""The registry of per-process caches: each registers where it is defined, ``clear_all`` empties them all.

A cache whose entries are read from the database or the settings can go stale, so it registers
(``register(name, clear)``): the tests clear every one between tests with one call, and so may an
operator's shell. Memos of pure functions (parsed values, fonts, statements compiled per database)
never go stale and do not register. A module that must drop its own cache when its data changes
(a new active model, a moderation decision) still calls its own clear function: ``clear_all``
empties the others too.

Public: ``register``, ``clear``, ``clear_all``, ``registered``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

_lock = threading.Lock()
_caches: dict[str, Callable[[], object]] = {}


def register(name: str, clear: Callable[[], object]) -> None:
    """Register the cache ``name`` (by convention its module's dotted path) with the function that
    empties it. Registering a name again replaces the function (a module reloaded in tests)."""
    with _lock:
        _caches[name] = clear


def clear(name: str) -> None:
    """Empty the cache ``name`` alone (``KeyError`` when no such cache is registered)."""
    with _lock:
        empty = _caches[name]
    empty()


def clear_all() -> None:
    """Empty every registered cache (of the modules imported so far: the others hold nothing)."""
    with _lock:
        everything = list(_caches.values())
    for empty in everything:
        empty()


def registered() -> dict[str, Callable[[], object]]:
    """Each registered cache's name and clear function."""
    with _lock:
        return dict(_caches)
