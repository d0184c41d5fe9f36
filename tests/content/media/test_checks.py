import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image

from content.checks import ffprobe_check
from content.media.checks import MediaRefused, image_check, media_check_uploads
from feedsite.errors import api_exception_handler
from tests.content.media.conftest import image_bytes, upload

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _refusal(files) -> MediaRefused:
    with pytest.raises(MediaRefused) as refused:
        media_check_uploads(files)
    return refused.value


def _limits(settings, **changed: int) -> None:
    settings.MEDIA_LIMITS = {**settings.MEDIA_LIMITS, **changed}


def _png_declaring(width: int, height: int) -> bytes:
    """A valid 1×1 PNG whose header then claims ``width``×``height`` (a decompression bomb's header)."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


@pytest.mark.parametrize(
    ("ext", "content_type", "codec"),
    [(".mp4", "video/mp4", "h264"), (".mov", "video/quicktime", "h264"), (".webm", "video/webm", "vp9")],
)
def test_a_video_is_accepted_with_what_ffprobe_says(make_video, ext, content_type, codec):
    data = make_video(ext=ext)

    (checked,) = media_check_uploads([upload(f"holiday{ext}", data, "application/octet-stream")])

    assert (checked.kind, checked.content_type, checked.extension, checked.video_codec) == (
        "video",
        content_type,
        ext,
        codec,
    )
    assert (checked.width, checked.height, checked.size, checked.source_name) == (320, 240, len(data), f"holiday{ext}")
    assert 1400 <= (checked.duration_ms or 0) <= 1600
    assert checked.content.read() == data


def test_a_carousel_keeps_its_order_and_each_image_its_sniffed_type():
    files = [
        upload("a.png", image_bytes("JPEG")),  # the name lies; the bytes say JPEG
        upload("b.jpg", image_bytes("PNG", (30, 20))),
        upload("c", image_bytes("WEBP", (10, 40))),
    ]

    checked = media_check_uploads(files)

    assert [(c.content_type, c.extension, c.width, c.height, c.source_name) for c in checked] == [
        ("image/jpeg", ".jpg", 64, 48, "a.png"),
        ("image/png", ".png", 30, 20, "b.jpg"),
        ("image/webp", ".webp", 10, 40, "c"),
    ]
    assert [Image.open(c.content).format for c in checked] == ["JPEG", "PNG", "WEBP"]


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("clip.mp4", HTML, "text/html"),
        ("photo.jpg", SVG, "image/svg+xml"),
        ("clip.mp4", b"just some words in a text file, nothing else\n" * 20, "not a known media type"),
        ("photo.png", image_bytes("GIF"), "image/gif"),
        ("clip.mov", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "application/pdf"),
    ],
)
def test_a_file_disguised_by_its_name_is_refused_by_its_bytes(name, data, said):
    refused = _refusal([upload(name, data, "video/mp4")])

    assert refused.code == "unsupported_type"
    assert refused.message.startswith(f"“{name}” is not a video (MP4, MOV or WebM) or an image (JPEG, PNG or WebP)")
    assert said in refused.message
    assert refused.extra == {
        "file": name,
        "limit": ["image/jpeg", "image/png", "image/webp", "video/mp4", "video/quicktime", "video/webm"],
    }


def test_an_oversize_video_is_refused_before_it_is_probed(settings):
    _limits(settings, video_max_bytes=2 * 1024 * 1024)
    # Not even a readable video: the size alone refuses it.
    data = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2mp41" + b"\x00" * (3 * 1024 * 1024)

    refused = _refusal([upload("big.mp4", data)])

    assert (refused.code, refused.extra) == ("too_large", {"file": "big.mp4", "limit": 2 * 1024 * 1024})
    assert refused.message == "“big.mp4” is 3 MB; a video may be at most 2 MB."


def test_an_oversize_image_is_refused(settings):
    data = image_bytes("PNG", (400, 400))
    _limits(settings, image_max_bytes=len(data) - 1)

    refused = _refusal([upload("a.png", image_bytes("PNG", (10, 10))), upload("big.png", data)])

    assert (refused.code, refused.extra) == ("too_large", {"file": "big.png", "limit": len(data) - 1})


def test_a_video_too_long_is_refused(settings, make_video):
    _limits(settings, video_max_seconds=1)

    refused = _refusal([upload("long.mp4", make_video(seconds=1.5))])

    assert (refused.code, refused.extra) == ("too_long", {"file": "long.mp4", "limit": 1})
    assert refused.message == "“long.mp4” lasts 1.5 s; a video may last at most 1 s."


def test_a_video_too_short_is_refused(make_video):
    refused = _refusal([upload("blink.mp4", make_video(seconds=0.4))])

    assert (refused.code, refused.extra) == ("too_short", {"file": "blink.mp4", "limit": 1})
    assert refused.message == "“blink.mp4” lasts 0.4 s; a video must last at least 1 s."


def test_a_video_too_big_is_refused(settings, make_video):
    _limits(settings, video_max_side=300)

    refused = _refusal([upload("wide.mp4", make_video())])

    assert (refused.code, refused.extra) == ("too_big_dimensions", {"file": "wide.mp4", "limit": 300})


def test_an_image_too_big_is_refused(settings):
    _limits(settings, image_max_side=50)

    refused = _refusal([upload("wide.jpg", image_bytes("JPEG", (64, 48)))])

    assert (refused.code, refused.extra) == ("too_big_dimensions", {"file": "wide.jpg", "limit": 50})
    assert refused.message == "“wide.jpg” is 64×48 pixels; its longest side may be at most 50 pixels."


@pytest.mark.parametrize(("width", "height"), [(7000, 7000), (100_000, 100_000)])
def test_a_decompression_bomb_is_refused_from_its_header(width, height):
    bomb = _png_declaring(width, height)
    assert len(bomb) < 100

    refused = _refusal([upload("bomb.png", bomb)])

    assert (refused.code, refused.extra) == ("too_many_pixels", {"file": "bomb.png", "limit": 40_000_000})
    assert refused.message == "“bomb.png” has too many pixels; an image may have at most 40 megapixels."


def test_more_images_than_a_carousel_holds_are_refused():
    files = [upload(f"{n}.jpg", image_bytes()) for n in range(11)]

    refused = _refusal(files)

    assert (refused.code, refused.extra) == ("too_many_files", {"file": "10.jpg", "limit": 10})
    assert refused.message == "“10.jpg” is image 11; a post has at most 10 images."


def test_two_videos_are_refused(make_video):
    refused = _refusal([upload("a.mp4", make_video()), upload("b.mp4", make_video())])

    assert (refused.code, refused.extra) == ("too_many_files", {"file": "b.mp4", "limit": 1})


def test_a_video_with_images_is_refused(make_video):
    refused = _refusal([upload("a.jpg", image_bytes()), upload("b.mp4", make_video())])

    assert (refused.code, refused.extra) == ("mixed_media", {"file": "b.mp4", "limit": [1, 10]})
    assert (
        refused.message == "“a.jpg” is an image and “b.mp4” a video; a post is one video or up to 10 images, not both."
    )


def test_an_unreadable_video_is_refused(make_video):
    # The head of a real MP4 whose index (at the end) was never uploaded.
    truncated = make_video()[:2048]

    refused = _refusal([upload("cut.mp4", truncated)])

    assert (refused.code, refused.extra) == ("unreadable", {"file": "cut.mp4", "limit": None})
    assert refused.message == "“cut.mp4” could not be read as a video: it may be damaged or incomplete."


def test_an_unreadable_image_is_refused():
    broken = image_bytes("JPEG", (64, 48))[:200]

    refused = _refusal([upload("cut.jpg", broken)])

    assert (refused.code, refused.extra) == ("unreadable", {"file": "cut.jpg", "limit": None})


def test_an_audio_only_file_is_not_a_video(tmp_path):
    import subprocess

    path = tmp_path / "song.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", str(path)],
        check=True,
    )

    refused = _refusal([upload("song.mp4", path.read_bytes())])

    assert refused.code == "unreadable"


@pytest.mark.parametrize(("files", "name"), [([], ""), ([upload("empty.jpg", b"")], "empty.jpg")])
def test_no_file_is_refused(files, name):
    refused = _refusal(files)

    assert (refused.code, refused.extra) == ("no_file", {"file": name, "limit": None})


def _exif_with_gps_turned() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was turned: shown rotated 90° clockwise
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 3.0)
    return exif.tobytes()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_and_gps_are_gone_and_the_orientation_applied(fmt):
    original = image_bytes(fmt, (64, 48), exif=_exif_with_gps_turned())
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"

    (checked,) = media_check_uploads([upload(f"me.{fmt.lower()}", original)])

    data = checked.content.read()
    with Image.open(io.BytesIO(data)) as after:
        assert after.format == fmt
        assert (after.size, checked.width, checked.height, checked.size) == ((48, 64), 48, 64, len(data))
        assert dict(after.getexif()) == {}
        assert "exif" not in after.info
    assert b"PhoneCo" not in data
    assert b"Exif" not in data


def test_videos_are_refused_with_a_reason_when_ffprobe_is_missing(monkeypatch, settings, make_video):
    data = make_video()
    settings.FFPROBE_BINARY = ""
    monkeypatch.setenv("PATH", "/nonexistent")

    refused = _refusal([upload("clip.mp4", data)])
    warnings = ffprobe_check()

    assert (refused.code, refused.http_status, refused.extra) == (
        "unavailable",
        503,
        {"file": "clip.mp4", "limit": None},
    )
    assert "ffprobe is missing" in refused.message
    assert [w.id for w in warnings] == ["content.W001"]
    assert "install" in warnings[0].hint.lower()


def test_ffprobe_present_means_no_warning():
    assert ffprobe_check() == []


def test_image_check_takes_one_image_within_the_given_size():
    checked = image_check(upload("me.png", image_bytes("PNG", (20, 20))), max_bytes=10_000)

    assert (checked.kind, checked.content_type, checked.width, checked.height) == ("image", "image/png", 20, 20)


@pytest.mark.parametrize(
    ("data", "max_bytes", "code"),
    [
        (image_bytes("PNG", (300, 300)), 100, "too_large"),
        (SVG, 10_000, "unsupported_type"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2mp41", 10_000, "unsupported_type"),
    ],
)
def test_image_check_refuses_what_is_not_a_small_image(data, max_bytes, code):
    with pytest.raises(MediaRefused) as refused:
        image_check(upload("me.png", data), max_bytes=max_bytes)

    assert (refused.value.code, refused.value.extra["file"]) == (code, "me.png")


def test_a_refusal_answers_the_api_error_shape():
    refused = _refusal([upload("page.jpg", HTML)])

    response = api_exception_handler(refused, {})

    assert response is not None
    assert response.status_code == 400
    assert response.data == {
        "error": {"code": "unsupported_type", "message": refused.message, "extra": refused.extra},
    }
