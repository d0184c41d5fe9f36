import pytest

from content import media
from profiles.demo import render

PALETTE = render.PALETTES[0]
# Small and short: the renderers' behaviour does not depend on size, the test time does.
VIDEO = {"width": 160, "height": 284, "duration_ms": 1000, "fps": 12}


@pytest.fixture(scope="module")
def video() -> bytes:
    return render.video_render(
        title="Morning routine", subtitle="Beauty", badge="NEW", palette=PALETTE, seed=1, **VIDEO
    )


def test_video_poster_is_a_jpeg_frame_of_the_video(video):
    poster = media.video_poster(video=video, at_ms=500)

    assert media.media_sniff(poster) == "jpeg"
    assert media.image_size(poster) == (VIDEO["width"], VIDEO["height"])


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
