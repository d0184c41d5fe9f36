import pytest
from django.core.files.storage import default_storage, storages

from content.media.checks import media_check_uploads
from content.media.pipeline import media_originals_store
from content.models import ContentItem, ContentMedia
from feedsite.errors import ApplicationError
from tests.content.media.conftest import image_bytes, upload
from tests.factories import ContentItemFactory

pytestmark = pytest.mark.django_db
Status = ContentItem.Status


def _bytes(file) -> bytes:
    file.seek(0)
    return file.read()


def _processing(kind: str = "video", intent: str = "publish") -> ContentItem:
    return ContentItemFactory(kind=kind, status=Status.PROCESSING, published_at=None, intent=intent)


def test_originals_are_stored_privately_in_order_under_names_from_their_type(media_root):
    item = _processing("image")
    checked = media_check_uploads(
        [upload("<b>one</b>.html.png", image_bytes("JPEG")), upload("two", image_bytes("PNG"))]
    )

    rows = media_originals_store(item=item, files=checked)

    stored = list(ContentMedia.objects.filter(item=item))
    assert [r.pk for r in rows] == [r.pk for r in stored]
    assert [(r.position, r.kind, r.original_type, r.original_bytes) for r in stored] == [
        (0, "image", "image/jpeg", checked[0].size),
        (1, "image", "image/png", checked[1].size),
    ]
    assert [r.original.name.rsplit(".", 1)[1] for r in stored] == ["jpg", "png"]
    assert all("one" not in r.original.name and r.original.name.startswith("originals/") for r in stored)
    private = storages["private"]
    assert [private.open(r.original.name).read() for r in stored] == [_bytes(c.content) for c in checked]
    assert not any(default_storage.exists(r.original.name) for r in stored)
    assert list(media_root.iterdir()) == []
    with pytest.raises(ValueError, match="no URL"):
        stored[0].original.url  # noqa: B018


def test_a_video_original_is_stored_as_uploaded(media_root, make_video):
    data = make_video()
    item = _processing("video")

    (row,) = media_originals_store(item=item, files=media_check_uploads([upload("clip.mov", data)]))

    assert (row.original_type, row.width, row.height, row.original.name[-4:]) == ("video/mp4", 320, 240, ".mp4")
    assert storages["private"].open(row.original.name).read() == data


@pytest.mark.parametrize(
    ("status", "kind", "code"),
    [
        (Status.DRAFT, "image", "invalid_state"),
        (Status.PUBLISHED, "image", "invalid_state"),
        (Status.PROCESSING, "video", "mixed_media"),
    ],
)
def test_originals_are_refused_unless_the_item_is_processing_and_of_their_kind(status, kind, code):
    item = ContentItemFactory(kind=kind, status=status)
    checked = media_check_uploads([upload("a.jpg", image_bytes())])

    with pytest.raises(ApplicationError) as refused:
        media_originals_store(item=item, files=checked)

    assert refused.value.code == code
    assert ContentMedia.objects.count() == 0
    assert storages["private"].listdir("") == ([], [])


def test_an_item_gets_its_originals_once():
    item = _processing("image")
    media_originals_store(item=item, files=media_check_uploads([upload("a.jpg", image_bytes())]))

    with pytest.raises(ApplicationError) as refused:
        media_originals_store(item=item, files=media_check_uploads([upload("b.jpg", image_bytes())]))

    assert refused.value.code == "media_exists"
    assert ContentMedia.objects.filter(item=item).count() == 1
