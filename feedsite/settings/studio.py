"""Creators' studio: who may create, and the limits every upload is checked against before it is stored."""

from feedsite.settings.django import CONFIG

# "auto" on the embedded default and in development, "staff" in production (CREATOR_APPROVAL).
CREATOR_APPROVAL = CONFIG.creator_approval
# Paths of ffmpeg / ffprobe; empty: the ones on the PATH (docs/media.md).
FFMPEG_BINARY = CONFIG.ffmpeg_binary
FFPROBE_BINARY = CONFIG.ffprobe_binary

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

# The most one studio upload request may carry: a whole video, or a full carousel, plus its fields.
STUDIO_UPLOAD_MAX_BYTES = (
    max(MEDIA_LIMITS["video_max_bytes"], MEDIA_LIMITS["carousel_max_images"] * MEDIA_LIMITS["image_max_bytes"])
    + 1024 * 1024
)
# API paths whose body ceiling (feedsite.bodies) is above API_BODY_CEILING_BYTES: the studio's uploads.
API_BODY_CEILING_PREFIXES = {"/api/v1/studio/": STUDIO_UPLOAD_MAX_BYTES}
