"""The real type of a file, from its bytes (``puremagic``), never from its name or the browser's word."""

from __future__ import annotations

from dataclasses import dataclass

import puremagic

# Enough of the head for every signature puremagic knows of the accepted types.
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class MediaType:
    kind: str  # "video" | "image"
    content_type: str
    extension: str
    # What ffprobe must call the container, or what Pillow must call the image.
    decoder_format: str


ACCEPTED: dict[str, MediaType] = {
    t.content_type: t
    for t in (
        MediaType("video", "video/mp4", ".mp4", "mov,mp4,m4a,3gp,3g2,mj2"),
        MediaType("video", "video/quicktime", ".mov", "mov,mp4,m4a,3gp,3g2,mj2"),
        MediaType("video", "video/webm", ".webm", "matroska,webm"),
        MediaType("image", "image/jpeg", ".jpg", "JPEG"),
        MediaType("image", "image/png", ".png", "PNG"),
        MediaType("image", "image/webp", ".webp", "WEBP"),
    )
}


def sniff_type(head: bytes) -> str | None:
    """The MIME type puremagic is most confident of for ``head`` (a file's first bytes), or ``None``.

    Among equally confident matches an accepted type wins (a WebM is also Matroska), so only the
    best guesses count: a file that merely contains an accepted signature further down is not one.
    """
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    if not matches:
        return None
    best = max(match.confidence for match in matches)
    types = [match.mime_type for match in matches if match.confidence == best and match.mime_type]
    accepted = [mime for mime in types if mime in ACCEPTED]
    return accepted[0] if accepted else (types[0] if types else None)


def accepted_type(head: bytes) -> MediaType | None:
    """The accepted media type ``head`` sniffs as, or ``None``."""
    mime = sniff_type(head)
    return ACCEPTED.get(mime) if mime else None


def media_sniff(data: bytes) -> str | None:
    """``"jpeg"``, ``"png"``, ``"mp4"`` or ``None``, from the file's first bytes (the demo's formats)."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    # An ISO base media file starts with a box: 4-byte size, then the type "ftyp".
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return "mp4"
    return None
