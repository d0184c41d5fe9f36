"""Running ffmpeg and ffprobe: where the binaries are, a bounded run, a probe's JSON, a poster frame.

ffprobe and the pipeline's ffmpeg are the system's (Debian's ``ffmpeg`` package, or
``FFPROBE_BINARY`` / ``FFMPEG_BINARY``); the demo renderer falls back on the static ffmpeg of
``imageio-ffmpeg``, which ships no ffprobe.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from feedsite.errors import ApplicationError

# The seed's clips are a few seconds long; ffmpeg gets this long before it counts as hung.
FFMPEG_TIMEOUT_SECONDS = 60
FFPROBE_TIMEOUT_SECONDS = 30


class MediaError(ApplicationError):
    """ffmpeg failed or is missing, or a file is not the media it claims to be.

    ``code``: ``media_error`` (ffmpeg refused the content), ``unreadable`` (ffprobe found no video
    in it), ``unavailable`` (the binary could not run).
    """

    def __init__(self, message: str, *, code: str = "media_error") -> None:
        super().__init__(message, code=code)


class MediaTimeout(MediaError):
    """ffmpeg or ffprobe ran out of time: the machine was busy, worth another try."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="media_timeout")


def ffmpeg_exe() -> str:
    """The static ffmpeg ``imageio-ffmpeg`` ships: the demo renders the same bytes on every machine."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def pipeline_ffmpeg_exe() -> str:
    """The ffmpeg that goes with ffprobe (``FFMPEG_BINARY``, else on ``PATH``), else ``ffmpeg_exe()``."""
    return str(getattr(settings, "FFMPEG_BINARY", "") or shutil.which("ffmpeg") or ffmpeg_exe())


def ffprobe_exe() -> str | None:
    """``FFPROBE_BINARY``, else ffprobe on ``PATH``; ``None`` when there is none (videos are then refused)."""
    return getattr(settings, "FFPROBE_BINARY", "") or shutil.which("ffprobe")


def run_ffmpeg(args: list[str], *, timeout: float = FFMPEG_TIMEOUT_SECONDS, exe: str | None = None) -> bytes:
    """ffmpeg's stdout; ``MediaTimeout`` past ``timeout`` seconds, ``MediaError`` when it fails."""
    try:
        done = subprocess.run(
            [exe or ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise MediaTimeout(f"ffmpeg took longer than {timeout:.0f} s") from exc
    except OSError as exc:
        raise MediaError(f"ffmpeg could not run: {exc}", code="unavailable") from exc
    if done.returncode != 0:
        raise MediaError(f"ffmpeg failed: {done.stderr.decode(errors='replace')[-500:]}")
    return done.stdout


@dataclass(frozen=True)
class Probe:
    """What ffprobe says about a video file. ``width``/``height`` are as displayed (rotation applied)."""

    format_name: str
    video_codec: str
    audio_codec: str | None
    width: int
    height: int
    duration_ms: int


def _rotation(stream: dict[str, Any]) -> int:
    for side_data in stream.get("side_data_list", []):
        if "rotation" in side_data:
            return int(side_data["rotation"])
    return int(stream.get("tags", {}).get("rotate", 0))


def _duration_ms(data: dict[str, Any], stream: dict[str, Any]) -> int:
    for raw in (data.get("format", {}).get("duration"), stream.get("duration")):
        try:
            return round(float(str(raw)) * 1000)
        except (TypeError, ValueError):
            continue
    return 0


def ffprobe(path: str | Path, *, input_format: str | None = None) -> Probe:
    """Probe ``path`` (read as ``input_format`` when given: no guessing from the name).

    Raises ``MediaError(code="unavailable")`` without ffprobe, ``MediaTimeout`` when it hangs, and
    ``MediaError(code="unreadable")`` when it cannot read the file or finds no video stream.
    """
    exe = ffprobe_exe()
    if exe is None:
        raise MediaError("ffprobe is not installed on the server.", code="unavailable")
    forced = ["-f", input_format] if input_format else []
    command = [exe, "-v", "error", "-protocol_whitelist", "file", *forced]
    command += ["-print_format", "json", "-show_format", "-show_streams", str(path)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=FFPROBE_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise MediaTimeout(f"ffprobe took longer than {FFPROBE_TIMEOUT_SECONDS} s") from exc
    except OSError as exc:
        raise MediaError(f"ffprobe could not run: {exc}", code="unavailable") from exc
    if done.returncode != 0:
        raise MediaError(f"ffprobe failed: {done.stderr.decode(errors='replace')[-300:]}", code="unreadable")
    try:
        data = json.loads(done.stdout)
    except ValueError as exc:
        raise MediaError("ffprobe answered no JSON", code="unreadable") from exc
    streams = data.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video" and s.get("width")), None)
    if video is None:
        raise MediaError("no video stream", code="unreadable")
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    width, height = int(video["width"]), int(video["height"])
    if abs(_rotation(video)) % 180 == 90:
        width, height = height, width
    return Probe(
        format_name=str(data.get("format", {}).get("format_name", "")),
        video_codec=str(video.get("codec_name", "")),
        audio_codec=str(audio.get("codec_name", "")) if audio else None,
        width=width,
        height=height,
        duration_ms=_duration_ms(data, video),
    )


def video_poster(*, video: bytes, at_ms: int = 0, quality: int = 4) -> bytes:
    """A JPEG of the frame of ``video`` at ``at_ms`` (ffmpeg ``-q:v`` ``quality``: 2 best … 31 worst)."""
    with tempfile.TemporaryDirectory(prefix="feedsite-poster-") as tmp:
        source = Path(tmp) / "in.mp4"
        source.write_bytes(video)
        return poster_of(source, at_ms=at_ms, quality=quality)


def poster_of(path: Path, *, at_ms: int = 0, quality: int = 4, exe: str | None = None) -> bytes:
    """A JPEG of the frame of the video file at ``path`` at ``at_ms``."""
    args = ["-ss", f"{at_ms / 1000:.3f}", "-i", str(path), "-frames:v", "1"]
    return run_ffmpeg([*args, "-q:v", str(quality), "-f", "image2pipe", "-c:v", "mjpeg", "pipe:1"], exe=exe)
