import pytest

from content.models import ContentItem, ContentMedia
from moderation.checks import classifier_active, item_screen
from moderation.checks.fingerprints import item_fingerprints_store
from moderation.checks.rules import hamming
from moderation.models import MediaFingerprint
from tests.factories import ContentItemFactory, VeteranCreatorFactory
from tests.moderation.checks.conftest import picture, stored_picture

pytestmark = pytest.mark.django_db

Status = ContentItem.Status


@pytest.fixture(autouse=True)
def _classifier() -> None:
    classifier_active()


def image_item(data: bytes, *, creator=None, status=Status.PUBLISHED) -> ContentItem:
    return ContentItemFactory(
        creator=creator or VeteranCreatorFactory(),
        caption="Linen shirt for warm evenings",
        status=status,
        media=stored_picture("media/a.jpg", data),
    )


def test_near_copies_hash_close_and_different_pictures_far(media_root):
    original, near, other = picture(1), picture(1, shift=12, quality=60), picture(2)
    hashes = [item_fingerprints_store(item=image_item(data))[0] for data in (original, near, other)]

    assert hamming(hashes[0], hashes[1]) <= 6
    assert hamming(hashes[0], hashes[2]) > 20
    assert MediaFingerprint.objects.count() == 3


def test_fingerprints_are_stored_once_per_item_and_hash(media_root):
    item = image_item(picture(1))

    first, again = item_fingerprints_store(item=item), item_fingerprints_store(item=item)

    assert first == again
    assert len(first[0]) == 16
    assert list(MediaFingerprint.objects.values_list("item", "phash")) == [(item.pk, first[0])]


def test_a_video_is_fingerprinted_by_its_poster_and_an_image_row_by_its_file(media_root):
    item = ContentItemFactory(creator=VeteranCreatorFactory(), kind=ContentItem.Kind.VIDEO)
    ContentMedia.objects.create(
        item=item,
        position=0,
        kind=ContentMedia.Kind.VIDEO,
        original_type="video/mp4",
        poster=stored_picture("posters/p.jpg", picture(3)),
    )
    ContentMedia.objects.create(
        item=item,
        position=1,
        kind=ContentMedia.Kind.IMAGE,
        original_type="image/jpeg",
        file=stored_picture("media/i.jpg", picture(4)),
    )

    hashes = item_fingerprints_store(item=item)

    assert len(hashes) == 2
    assert hashes[0] != hashes[1]


def test_unreadable_media_is_skipped(media_root):
    item = ContentItemFactory(media=stored_picture("media/broken.jpg", b"not an image"))

    assert item_fingerprints_store(item=item) == ()
    assert MediaFingerprint.objects.count() == 0


@pytest.mark.parametrize(
    ("same_creator", "first_status", "held"),
    [
        (False, Status.PUBLISHED, True),  # another creator's picture
        (True, Status.PUBLISHED, False),  # their own picture again
        (True, Status.REMOVED, True),  # their own picture a moderator removed
    ],
)
def test_near_duplicate_media_is_held(media_root, same_creator, first_status, held):
    creator = VeteranCreatorFactory()
    first = image_item(picture(1), creator=creator, status=first_status)
    item_fingerprints_store(item=first)
    copy = image_item(
        picture(1, shift=12, quality=60), creator=creator if same_creator else None, status=Status.PENDING
    )

    screening = item_screen(item_id=copy.pk)

    near = next(c for c in screening.checks if c["kind"] == "near_duplicate")
    copy.refresh_from_db()
    if held:
        assert (screening.outcome, copy.status, near["score"], near["outcome"]) == ("hold", Status.PENDING, 0.5, "hold")
        assert near["reason"].startswith(f"Its media is a near-duplicate of item #{first.pk} (distance ")
    else:
        assert (screening.outcome, copy.status, near["score"], near["reason"]) == ("allow", Status.PUBLISHED, 0.0, "")


def test_a_different_picture_of_another_creator_is_no_duplicate(media_root):
    item_fingerprints_store(item=image_item(picture(1)))
    other = image_item(picture(2), status=Status.PENDING)

    screening = item_screen(item_id=other.pk)

    assert screening.outcome == "allow"
    assert MediaFingerprint.objects.filter(item=other).count() == 1
