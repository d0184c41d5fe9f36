"""Images with Pillow: their size, a clean re-encoding without metadata, WebP renditions."""

from __future__ import annotations

import io
import warnings
from typing import IO

from PIL import Image, ImageOps

from content.media.ffmpeg import MediaError

# Pillow's encoder names for the accepted types; what is written back is what was uploaded.
SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 90, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 90, "method": 4},
}
WEBP_QUALITY = 82


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of an encoded image; raises ``MediaError`` when Pillow cannot read it."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except OSError as exc:
        raise MediaError(f"Not an image Pillow can read: {exc}") from exc


def header_size(stream: IO[bytes]) -> tuple[str, tuple[int, int]]:
    """Pillow's format name and the size the header declares, without decoding a pixel.

    Raises Pillow's ``DecompressionBombError`` past twice ``Image.MAX_IMAGE_PIXELS``; below that
    the caller compares the size with its own limit, so Pillow's warning is not repeated.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(stream) as image:
            return str(image.format), image.size


def _saveable(image: Image.Image, image_format: str) -> Image.Image:
    if image_format == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        return image.convert("RGB")
    if image_format in ("PNG", "WEBP") and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        return image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return image


def image_reencode(stream: IO[bytes], *, image_format: str) -> tuple[bytes, tuple[int, int]]:
    """Decode the image (first frame) and encode it again as ``image_format``, upright and without
    EXIF, GPS, XMP or text chunks (only the colour profile is kept); the bytes and their size.

    Raises ``OSError`` (or Pillow's ``DecompressionBombError``) when the pixels cannot be decoded.
    """
    with Image.open(stream) as image:
        image.load()
        icc = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
    clean = _saveable(upright, image_format)
    # Some encoders fall back on what was read (XMP, comments): nothing read is written back.
    clean.info = {}
    out = io.BytesIO()
    options = dict(SAVE_OPTIONS[image_format])
    if icc:
        options["icc_profile"] = icc
    clean.save(out, format=image_format, **options)
    return out.getvalue(), clean.size


def image_webp(image: Image.Image, *, width: int | None = None) -> tuple[bytes, tuple[int, int]]:
    """``image`` as WebP, scaled down to ``width`` (keeping its aspect) when given; the bytes and size."""
    if width is not None and width < image.width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue(), image.size
