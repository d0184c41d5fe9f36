"""A private storage whose reads fail a set number of times: a disk or network hiccup, on purpose."""

from __future__ import annotations

from typing import Any

from django.core.files import File

from feedsite.storage import PrivateFileSystemStorage


class FlakyStorage(PrivateFileSystemStorage):
    """The real private storage, except that the next ``failures`` opens raise ``OSError``."""

    failures = 0
    opens = 0

    def _open(self, name: str, mode: str = "rb") -> File[Any]:
        type(self).opens += 1
        if type(self).failures > 0:
            type(self).failures -= 1
            raise OSError(5, "Input/output error (on purpose)", name)
        return super()._open(name, mode)
