import io
import struct

import pytest
from PIL import Image

from content import media
from profiles.demo import render

PALETTE = render.PALETTES[0]
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
    return render.video_render(
        title="Morning routine", subtitle="Beauty", badge="NEW", palette=PALETTE, seed=1, **VIDEO
    )


@pytest.mark.parametrize("shape", [*render.SHAPES, ""])
def test_image_render_is_a_portrait_jpeg_of_the_asked_size(shape):
    data = render.image_render(
        title="Vitamin C Brightening Serum 30 ml", subtitle="Lumière Skin", badge="€24.90", shape=shape,
        palette=PALETTE, seed=3, width=180, height=320,
    )  # fmt: skip

    assert media.media_sniff(data) == "jpeg"
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (180, 320))


def test_image_render_is_deterministic_and_the_seed_changes_it():
    def draw(seed):
        return render.image_render(title="Canvas Tote", palette=PALETTE, seed=seed, width=180, height=320)

    assert draw(1) == draw(1)
    assert draw(1) != draw(2)


def test_image_render_draws_the_title_on_the_gradient():
    plain = render.image_render(title="", palette=PALETTE, seed=5, width=180, height=320)
    titled = render.image_render(title="Linen Midi Dress", palette=PALETTE, seed=5, width=180, height=320)

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


def test_video_render_refuses_an_odd_size():
    with pytest.raises(media.MediaError, match="even"):
        render.video_render(title="x", palette=PALETTE, seed=1, width=161, height=284)
