import pytest
from asgiref.sync import async_to_sync
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.test import AsyncClient
from django.utils.http import http_date

from content.media.serve import byte_range
from tests.content.media.conftest import image_bytes

HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def video(media_root, make_video) -> tuple[str, bytes]:
    data = make_video()
    return default_storage.save("media/clip.mp4", ContentFile(data)), data


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("posters/p.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("media/a.webp", image_bytes("WEBP"), "image/webp"),
        # The bytes decide, not the name.
        ("media/a.html", image_bytes("PNG"), "image/png"),
    ],
)
def test_media_is_served_inline_as_its_sniffed_type_with_nosniff(client, media_root, name, data, content_type):
    stored = default_storage.save(name, ContentFile(data))

    response = client.get(f"/media/{stored}")

    assert response.status_code == 200
    assert _body(response) == data
    assert {h: response[h] for h in ("Content-Type", "X-Content-Type-Options", "Content-Disposition")} == {
        "Content-Type": content_type,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
    }
    assert (response["Accept-Ranges"], response["Content-Length"]) == ("bytes", str(len(data)))
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_video_is_served_whole_as_video_mp4(client, video):
    name, data = video

    response = client.get(f"/media/{name}")

    assert (response.status_code, response["Content-Type"], _body(response)) == (200, "video/mp4", data)


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-10", -10, None), ("bytes=5-999999999", 5, None)],
)
def test_a_single_range_is_answered_206_with_its_bytes(client, video, header, first, last):
    name, data = video
    expected = data[first : last + 1 if last is not None else None]
    start = first if first >= 0 else len(data) + first

    response = client.get(f"/media/{name}", HTTP_RANGE=header)

    assert response.status_code == 206
    assert _body(response) == expected
    assert response["Content-Range"] == f"bytes {start}-{start + len(expected) - 1}/{len(data)}"
    assert response["Content-Length"] == str(len(expected))
    assert response["Content-Type"] == "video/mp4"


def test_under_asgi_a_range_is_streamed_without_reading_the_file_whole(video):
    name, data = video

    async def fetch() -> tuple[object, bytes]:
        response = await AsyncClient().get(f"/media/{name}", headers={"Range": "bytes=100-4999"})
        return response, b"".join([chunk async for chunk in response.streaming_content])

    response, body = async_to_sync(fetch)()

    assert response.status_code == 206
    # An asynchronous iterator: Django's ASGI handler would read a synchronous one whole first.
    assert response.is_async
    assert body == data[100:5000]


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={size}-{size}", "bytes=-0"])
def test_an_unsatisfiable_range_is_416(client, video, header):
    name, data = video

    response = client.get(f"/media/{name}", HTTP_RANGE=header.format(size=len(data)))

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(data)}"
    assert response.content == b""


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-1", "bytes=9-3", "bytes=-"])
def test_several_or_malformed_ranges_get_the_whole_file(client, video, header):
    name, data = video

    response = client.get(f"/media/{name}", HTTP_RANGE=header)

    assert (response.status_code, _body(response)) == (200, data)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("media/page.html", HTML),
        ("media/photo.jpg", HTML),
        ("media/logo.svg", SVG),
        ("media/clip.mp4", b"hello, I am text"),
        ("media/anim.gif", image_bytes("GIF")),
        ("media/empty.jpg", b""),
    ],
)
def test_anything_but_accepted_media_is_not_served(client, media_root, name, data):
    stored = default_storage.save(name, ContentFile(data))

    response = client.get(f"/media/{stored}")

    assert response.status_code == 404
    assert b"alert" not in response.content


def test_no_path_leads_out_of_the_media_folder_or_to_private_files(client, media_root):
    private = storages["private"].save("originals/secret.jpg", ContentFile(image_bytes()))
    (media_root.parent / "outside.jpg").write_bytes(image_bytes())

    for path in (
        f"/media/{private}",
        "/media/../outside.jpg",
        "/media/%2e%2e/outside.jpg",
        "/media/",
        "/media/nope.jpg",
    ):
        assert client.get(path).status_code == 404, path


def test_only_get_and_head(client, media_root):
    stored = default_storage.save("p.jpg", ContentFile(image_bytes()))

    assert client.post(f"/media/{stored}").status_code == 405
    assert client.head(f"/media/{stored}").status_code == 200


def test_an_unchanged_file_is_not_sent_again(client, media_root):
    stored = default_storage.save("p.jpg", ContentFile(image_bytes()))
    modified = http_date(int((media_root / stored).stat().st_mtime))

    response = client.get(f"/media/{stored}", HTTP_IF_MODIFIED_SINCE=modified)

    assert (response.status_code, response.content) == (304, b"")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ("bytes=0-0", (0, 0)),
        ("bytes=0-", (0, 99)),
        ("bytes=-1", (99, 99)),
        ("bytes=-500", (0, 99)),
        ("bytes=98-200", (98, 99)),
        ("bytes=100-", (100, 100)),
        ("bytes=-0", (100, 100)),
        ("bytes=7-3", None),
        ("bytes=1-2,4-5", None),
    ],
)
def test_byte_range(header, expected):
    assert byte_range(header, 100) == expected
