"""Where files live: public media, and private files no URL may reach.

``STORAGES["default"]`` holds the media shoppers see: ``MEDIA_ROOT`` on the embedded default, or
an S3 bucket (``feedsite.s3.MediaS3Storage``) when one is configured. ``STORAGES["private"]`` holds ranker
artifacts, event archives and the originals of uploads: a folder outside ``MEDIA_ROOT``
(``var/private``) on the embedded default, or a private prefix of the bucket (signed URLs only).
docs/storage.md says how to set either up.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFileSystemStorage(FileSystemStorage):
    """Local private files: stored like media, but with no URL at all."""

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; read them through the storage.")


class _PrivateStorage(LazyObject):
    """``storages["private"]``, looked up on first use, as ``default_storage`` is for "default"."""

    _wrapped: Any

    def _setup(self) -> None:
        self._wrapped = storages["private"]


_private = _PrivateStorage()


def private_storage() -> Storage:
    """The private storage; a callable, as a ``FileField``'s ``storage`` may be."""
    return cast(Storage, _private)


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs: Any) -> None:
    # STORAGES changed (tests override it): look the private storage up again.
    if setting == "STORAGES":
        _private._wrapped = empty
