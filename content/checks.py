"""System checks of the content app: the media pipeline needs ffprobe and ffmpeg on the machine."""

from __future__ import annotations

from typing import Any

from django.core import checks

from content.media.ffmpeg import ffprobe_exe


@checks.register("media")
def ffprobe_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Without ffprobe every video upload is refused (``unavailable``): say so at start-up."""
    if ffprobe_exe() is not None:
        return []
    return [
        checks.Warning(
            "ffprobe was not found: video uploads are refused until it is installed.",
            hint="Install ffmpeg (apt-get install ffmpeg), or set FFPROBE_BINARY and FFMPEG_BINARY.",
            id="content.W001",
        )
    ]
