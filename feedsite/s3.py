"""The public media bucket's storage (imported only when S3 is configured: it loads boto3)."""

from __future__ import annotations

import mimetypes
from typing import Any

from storages.backends.s3 import S3Storage

# What a public media object may be served as; anything else is stored as an opaque download.
MEDIA_CONTENT_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4", "video/webm", "video/quicktime"}
)
OPAQUE_CONTENT_TYPE = "application/octet-stream"


def media_content_type(name: str, declared: str | None = None) -> str:
    """The ``Content-Type`` a public object is stored with: ``declared`` (the type the pipeline
    sniffed, carried as the file's ``content_type``), else the one its name's extension names,
    when that is an image or video type; otherwise ``application/octet-stream``, so that a bucket
    never answers HTML, SVG or script from the media origin."""
    if declared:
        return declared if declared in MEDIA_CONTENT_TYPES else OPAQUE_CONTENT_TYPE
    guessed = mimetypes.guess_type(name)[0]
    return guessed if guessed in MEDIA_CONTENT_TYPES else OPAQUE_CONTENT_TYPE


class MediaS3Storage(S3Storage):
    """The public media bucket: every object is stored with an image or video ``Content-Type``
    (``media_content_type``) or as an attachment, and ``X-Content-Type-Options`` is the CDN's job
    (docs/storage.md)."""

    def _get_write_parameters(self, name: str, content: Any = None) -> dict[str, Any]:
        params: dict[str, Any] = super()._get_write_parameters(name, content)
        params["ContentType"] = media_content_type(name, getattr(content, "content_type", None))
        params.pop("ContentEncoding", None)  # a guessed ".gz" encoding would make browsers unpack it
        if params["ContentType"] == OPAQUE_CONTENT_TYPE:
            params["ContentDisposition"] = "attachment"
        return params
