import io
import struct

import pytest
from PIL import Image

from content import media

PALETTE = media.PALETTES[0]
# Small and short: the renderers' behaviour does not depend on size, the test time does.
VIDEO = {"width": 160, "height": 284, "duration_ms": 1000, "fps": 12}


def top_level_boxes(data: bytes) -> list[str]:
    """The types of an MP4's top-level boxes, in file order."""
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        boxes.append(kind.decode("latin-1"))
        if size < 8:
            break
        offset += size
    return boxes


@pytest.fixture(scope="module")
def video() -> bytes:
    return media.video_render(title="Morning routine", subtitle="Beauty", badge="NEW", palette=PALETTE, seed=1, **VIDEO)


@pytest.mark.parametrize("shape", [*media.SHAPES, ""])
def test_image_render_is_a_portrait_jpeg_of_the_asked_size(shape):
    data = media.image_render(
        title="Vitamin C Brightening Serum 30 ml", subtitle="Lumière Skin", badge="€24.90", shape=shape,
        palette=PALETTE, seed=3, width=180, height=320,
    )  # fmt: skip

    assert media.media_sniff(data) == "jpeg"
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (180, 320))


def test_image_render_is_deterministic_and_the_seed_changes_it():
    def render(seed):
        return media.image_render(title="Canvas Tote", palette=PALETTE, seed=seed, width=180, height=320)

    assert render(1) == render(1)
    assert render(1) != render(2)


def test_image_render_draws_the_title_on_the_gradient():
    plain = media.image_render(title="", palette=PALETTE, seed=5, width=180, height=320)
    titled = media.image_render(title="Linen Midi Dress", palette=PALETTE, seed=5, width=180, height=320)

    with Image.open(io.BytesIO(plain)) as a, Image.open(io.BytesIO(titled)) as b:
        bottom = (0, 240, 180, 320)
        assert a.crop(bottom).tobytes() != b.crop(bottom).tobytes()


def test_video_render_is_a_streamable_h264_mp4(video):
    assert media.media_sniff(video) == "mp4"
    boxes = top_level_boxes(video)
    assert boxes[0] == "ftyp"
    # faststart: the index comes before the media data, so a browser can play while downloading.
    assert boxes.index("moov") < boxes.index("mdat")
    assert b"avc1" in video
    assert len(video) > 2_000


def test_video_poster_is_a_jpeg_frame_of_the_video(video):
    poster = media.video_poster(video=video, at_ms=500)

    assert media.media_sniff(poster) == "jpeg"
    assert media.image_size(poster) == (VIDEO["width"], VIDEO["height"])


def test_video_render_refuses_an_odd_size():
    with pytest.raises(media.MediaError, match="even"):
        media.video_render(title="x", palette=PALETTE, seed=1, width=161, height=284)


def test_video_poster_of_something_else_fails_with_media_error():
    with pytest.raises(media.MediaError, match="ffmpeg failed"):
        media.video_poster(video=b"not a video")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xd8\xff\xe0rest", "jpeg"),
        (b"\x89PNG\r\n\x1a\nrest", "png"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00", "mp4"),
        (b"GIF89a", None),
        (b"", None),
    ],
)
def test_media_sniff_reads_the_first_bytes(data, expected):
    assert media.media_sniff(data) == expected


def test_image_size_refuses_what_is_not_an_image():
    with pytest.raises(media.MediaError, match="Not an image"):
        media.image_size(b"plain text")
