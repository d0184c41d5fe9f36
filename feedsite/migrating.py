"""Helpers for data migrations."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.storage import storages


def files_to_private(names: Iterable[str]) -> int:
    """Move files from the default (public) storage to the private one; returns how many moved.

    Safe to run again: a file already private, or gone, is left alone.
    """
    public, private = storages["default"], storages["private"]
    moved = 0
    for name in names:
        if not name or private.exists(name) or not public.exists(name):
            continue
        with public.open(name, "rb") as source:
            private.save(name, source)
        public.delete(name)
        moved += 1
    return moved
