"""Creators' studio: who may create, and the limits every upload is checked against before it is stored."""

from feedsite.settings.django import CONFIG

# "auto" on the embedded default and in development, "staff" in production (CREATOR_APPROVAL).
CREATOR_APPROVAL = CONFIG.creator_approval

# Limits of content.media's checks; an upload over any of them is refused before it is stored.
MEDIA_LIMITS = {
    "video_max_bytes": 200 * 1024 * 1024,
    "video_max_seconds": 180,
    "video_min_seconds": 1,
    # Longest side of the original: 4K; the pipeline makes at most 720p of it.
    "video_max_side": 3840,
    "image_max_bytes": 20 * 1024 * 1024,
    "image_max_side": 8192,
    # Decoded pixels of one image (a decompression bomb is small on disk, huge once decoded).
    "image_max_pixels": 40_000_000,
    "carousel_max_images": 10,
    "avatar_max_bytes": 5 * 1024 * 1024,
}
# What the pipeline makes: videos at most this many lines (720p), images resized to these widths.
MEDIA_VIDEO_MAX_LINES = 720
MEDIA_IMAGE_WIDTHS = (480, 1080)
