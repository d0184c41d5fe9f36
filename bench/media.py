"""The media pipeline end to end on a 30 s 1080p upload: checks, originals stored, transcode.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/media.py [--seconds 30] [--rounds 1]

Makes the clip with ffmpeg (testsrc2 at 1920×1080, 30 fps, with a sine tone, H.264/AAC: what a
phone uploads), then times, in process, what the upload request and the ``media`` worker do with
it: ``media_check_uploads`` (sniff + ffprobe), ``media_originals_store`` (private storage) and
``media_process_item`` (the task's body: transcode to ≤720p faststart MP4, poster, probe). Prints
the seconds of each step and the total as a multiple of the clip's length; the budget is 2×. Files
go to temporary folders; the item and its creator are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from _common import django_setup, require_services

BUDGET_RATIO = 2.0


def make_clip(path: Path, seconds: int) -> float:
    started = time.perf_counter()
    args = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
    args += ["-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={seconds}"]
    args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    args += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)]
    subprocess.run(args, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    require_services()
    work = Path(tempfile.mkdtemp(prefix="feedsite-bench-media-"))
    # Before Django reads its settings: public and private files of this run only.
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ["PRIVATE_FILES_ROOT"] = str(work / "private")
    django_setup()

    from django.core.files.uploadedfile import TemporaryUploadedFile

    from content.media.checks import media_check_uploads
    from content.media.ffmpeg import ffprobe
    from content.media.pipeline import media_originals_store, media_process_item
    from content.models import ContentItem, ContentMedia, Creator

    clip = work / "clip.mp4"
    made = make_clip(clip, args.seconds)
    print(
        f"clip: {args.seconds} s 1920x1080 30 fps H.264/AAC, {clip.stat().st_size / 1e6:.1f} MB (made in {made:.1f} s)"
    )
    handle = f"bench-media-{os.getpid()}"
    creator = Creator.objects.create(handle=handle, display_name="Media benchmark")
    try:
        for round_number in range(1, args.rounds + 1):
            upload = TemporaryUploadedFile("clip.mp4", "video/mp4", clip.stat().st_size, None)
            with clip.open("rb") as source:
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    upload.write(chunk)
            upload.flush()
            item = ContentItem.objects.create(
                kind=ContentItem.Kind.VIDEO, creator=creator, status=ContentItem.Status.PROCESSING
            )
            load = os.getloadavg()[0]
            cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            checked = media_check_uploads([upload])
            checked_at = time.perf_counter()
            media_originals_store(item=item, files=checked)
            stored_at = time.perf_counter()
            media_process_item(item.pk)
            done_at = time.perf_counter()
            cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            upload.close()
            cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)

            item.refresh_from_db()
            row = ContentMedia.objects.get(item=item)
            out = ffprobe(Path(os.environ["MEDIA_ROOT"]) / row.file.name)
            total = done_at - started
            ratio = total / args.seconds
            print(
                f"round {round_number}: check {checked_at - started:.2f} s, store {stored_at - checked_at:.2f} s, "
                f"process {done_at - stored_at:.2f} s; total {total:.2f} s = {ratio:.2f}x the clip "
                f"(budget {BUDGET_RATIO:.0f}x: {'within' if ratio <= BUDGET_RATIO else 'OVER'})"
            )
            print(
                f"  ffmpeg/ffprobe CPU {cpu:.1f} s on {os.cpu_count()} cores; "
                f"load average {load:.1f} when the round began (other work slows the wall time)"
            )
            print(
                f"  output: {out.width}x{out.height} {out.video_codec}/{out.audio_codec}, "
                f"{out.duration_ms / 1000:.2f} s, {row.file.size / 1e6:.1f} MB; item {item.status}"
            )
            item.delete()
    finally:
        creator.delete()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
