"""Perceptual hashes of an item's processed media (ImageHash ``phash``), kept in ``MediaFingerprint``."""

from __future__ import annotations

import logging

import imagehash
from django.db.models.fields.files import FieldFile
from PIL import Image, UnidentifiedImageError

from content.models import ContentItem, ContentMedia
from moderation.models import MediaFingerprint

logger = logging.getLogger(__name__)


def phash_of(file: FieldFile) -> str | None:
    """The 64-bit perceptual hash of an image file, in hex; None when it cannot be read as one."""
    if not file.name:
        return None
    try:
        with file.storage.open(file.name, "rb") as handle, Image.open(handle) as image:
            return str(imagehash.phash(image))
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        logger.warning("fingerprint: %s could not be read: %s", file.name, exc)
        return None


def _pictures(item: ContentItem) -> list[FieldFile]:
    """The images that show what an item is: each processed image, each video's poster."""
    pictures: list[FieldFile] = []
    for row in item.media_files.order_by("position"):
        picture = row.poster if row.kind == ContentMedia.Kind.VIDEO else row.file
        if picture:
            pictures.append(picture)
    if not pictures:
        # Items made by staff or the importer point at their files directly.
        picture = item.poster if item.kind == ContentItem.Kind.VIDEO else item.media
        if picture:
            pictures.append(picture)
    return pictures


def item_fingerprints_store(*, item: ContentItem) -> tuple[str, ...]:
    """Hash the item's pictures and store the hashes (once each); returns them, in media order."""
    hashes: list[str] = []
    for picture in _pictures(item):
        phash = phash_of(picture)
        if phash is not None and phash not in hashes:
            hashes.append(phash)
    MediaFingerprint.objects.bulk_create(
        [MediaFingerprint(item=item, phash=phash) for phash in hashes], ignore_conflicts=True
    )
    return tuple(hashes)
