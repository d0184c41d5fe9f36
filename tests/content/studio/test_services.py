from datetime import timedelta

import pytest
from django.utils import timezone

from content.media.checks import MediaRefused
from content.media.pipeline import media_fail, media_process_item
from content.models import ContentItem, ContentMedia, Creator
from content.services import content_publish, content_publish_due
from content.studio.services import (
    PostFields,
    creator_apply,
    creator_for_studio,
    creator_review,
    studio_item_create,
    studio_item_delete,
    studio_item_retry,
    studio_item_update,
)
from feedsite.errors import ApplicationError, Forbidden, NotFound
from tests.content.studio.conftest import image_bytes, upload
from tests.factories import BrandFactory, ContentItemFactory, CreatorFactory, ProductFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = ContentItem.Status


# ---- becoming a creator -------------------------------------------------------------------------


def test_auto_approval_makes_an_approved_creator_at_once(settings):
    settings.CREATOR_APPROVAL = "auto"
    user = UserFactory()

    creator = creator_apply(user=user, handle="@GlowWithMia", display_name=" Mia ", bio="Skin nerd.")

    assert (creator.user, creator.handle, creator.display_name, creator.bio) == (
        user,
        "glowwithmia",
        "Mia",
        "Skin nerd.",
    )
    assert creator.status == Creator.Status.APPROVED
    assert creator.reviewed_at is not None
    assert creator_for_studio(user) == creator


def test_staff_approval_leaves_the_application_waiting_until_staff_approve(settings):
    settings.CREATOR_APPROVAL = "staff"
    user = UserFactory()

    creator = creator_apply(user=user, handle="mia", display_name="Mia")

    assert (creator.status, creator.reviewed_at) == (Creator.Status.APPLIED, None)
    with pytest.raises(Forbidden) as refused:
        creator_for_studio(user)
    assert refused.value.code == "creator_not_approved"

    approved = creator_review(creator=creator, approve=True)

    assert approved.status == Creator.Status.APPROVED
    assert approved.reviewed_at is not None
    assert creator_for_studio(user) == approved


def test_a_declined_applicant_sees_the_note_and_may_apply_again(settings):
    settings.CREATOR_APPROVAL = "staff"
    user = UserFactory()
    creator = creator_apply(user=user, handle="mia", display_name="Mia")

    declined = creator_review(creator=creator, approve=False, note="Add a bio about what you post.")
    assert (declined.status, declined.status_note) == (Creator.Status.DECLINED, "Add a bio about what you post.")

    again = creator_apply(user=user, handle="mia", display_name="Mia", bio="Skincare for oily skin.")
    assert (again.pk, again.status, again.status_note) == (creator.pk, Creator.Status.APPLIED, "")


@pytest.mark.parametrize(
    ("handle", "code"),
    [
        ("ab", "invalid_handle"),
        ("a" * 31, "invalid_handle"),
        ("mia rose", "invalid_handle"),
        ("-mia", "invalid_handle"),
        ("studio", "invalid_handle"),
        ("Admin", "invalid_handle"),
        ("TAKEN", "handle_taken"),
    ],
)
def test_a_bad_or_taken_handle_is_refused_and_nothing_is_stored(handle, code):
    CreatorFactory(handle="taken")
    user = UserFactory()
    before = Creator.objects.count()

    with pytest.raises(ApplicationError) as refused:
        creator_apply(user=user, handle=handle, display_name="Mia")

    assert refused.value.code == code
    assert Creator.objects.count() == before
    assert not Creator.objects.filter(user=user).exists()


def test_applying_twice_is_refused(settings):
    settings.CREATOR_APPROVAL = "staff"
    user = UserFactory()
    creator_apply(user=user, handle="mia", display_name="Mia")

    with pytest.raises(ApplicationError) as refused:
        creator_apply(user=user, handle="mia2", display_name="Mia")

    assert refused.value.code == "already_a_creator"
    assert list(Creator.objects.filter(user=user).values_list("handle", flat=True)) == ["mia"]


def test_the_avatar_is_checked_then_stored(media_root):
    creator = creator_apply(
        user=UserFactory(), handle="mia", display_name="Mia", avatar=upload("me.png", image_bytes("PNG"), "image/png")
    )

    assert creator.avatar.name.startswith("avatars/")
    assert (media_root / creator.avatar.name).is_file()


def test_a_disguised_avatar_is_refused_and_nothing_is_stored(media_root):
    user = UserFactory()

    with pytest.raises(MediaRefused):
        creator_apply(
            user=user, handle="mia", display_name="Mia", avatar=upload("me.png", b"<svg onload=alert(1)>", "image/png")
        )

    assert not Creator.objects.filter(user=user).exists()
    assert not (media_root / "avatars").exists()


def test_not_a_creator_is_refused_in_the_studio():
    with pytest.raises(Forbidden) as refused:
        creator_for_studio(UserFactory())

    assert refused.value.code == "not_a_creator"


# ---- uploading ----------------------------------------------------------------------------------


def test_a_carousel_makes_an_image_item_processing_with_one_media_row_per_image(creator, images):
    brand = BrandFactory()
    creator.brand = brand
    creator.save()
    serum = ProductFactory(title="Glow serum")
    TagFactory(slug="skincare", name="Skincare")

    item, made = studio_item_create(
        creator=creator,
        files=images(3),
        fields=PostFields(caption="Morning #glow routine", tags=["skincare"], product_ids=[serum.pk]),
    )

    assert made is True
    item.refresh_from_db()
    assert (item.kind, item.status, item.intent, item.creator, item.brand) == (
        ContentItem.Kind.IMAGE,
        Status.PROCESSING,
        ContentItem.Intent.PUBLISH,
        creator,
        brand,
    )
    assert list(item.media_files.values_list("position", "kind")) == [(0, "image"), (1, "image"), (2, "image")]
    assert all(media.original_type == "image/jpeg" for media in item.media_files.all())
    assert list(item.products.all()) == [serum]
    assert sorted(item.tags.values_list("slug", flat=True)) == ["glow", "skincare"]


def test_a_video_makes_a_video_item(creator, clip):
    item, _ = studio_item_create(
        creator=creator, files=[upload("clip.mp4", clip, "video/mp4")], fields=PostFields(intent="draft")
    )

    assert (item.kind, item.status, item.intent) == (ContentItem.Kind.VIDEO, Status.PROCESSING, "draft")
    assert list(item.media_files.values_list("kind", "original_type")) == [("video", "video/mp4")]


def test_the_same_client_token_again_returns_the_post_it_made(creator, images):
    first, made = studio_item_create(creator=creator, files=images(2), fields=PostFields(), client_token="attempt-0001")
    again, made_again = studio_item_create(
        creator=creator, files=images(2), fields=PostFields(), client_token="attempt-0001"
    )

    assert (made, made_again, again.pk) == (True, False, first.pk)
    assert ContentItem.objects.filter(creator=creator).count() == 1
    assert ContentMedia.objects.filter(item=first).count() == 2


def test_another_creators_token_is_theirs_alone(creator, images):
    other = CreatorFactory()
    mine, _ = studio_item_create(creator=creator, files=images(1), fields=PostFields(), client_token="attempt-0001")
    theirs, made = studio_item_create(creator=other, files=images(1), fields=PostFields(), client_token="attempt-0001")

    assert made is True
    assert theirs.pk != mine.pk


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        (PostFields(product_ids=[10**9]), "invalid_product"),
        (PostFields(product_ids=[1, 2, 3, 4, 5, 6]), "too_many_products"),
        (PostFields(publish_at=timezone.now() - timedelta(minutes=1)), "invalid_publish_at"),
        (PostFields(publish_at=timezone.now().replace(tzinfo=None) + timedelta(days=1)), "invalid_publish_at"),
        (PostFields(caption="x" * 2201), "caption_too_long"),
        (PostFields(intent="later"), "invalid_intent"),
        (PostFields(tags=[f"tag{i}" for i in range(11)]), "invalid_tags"),
        (PostFields(tags=["glow", "!!!"]), "invalid_tags"),
    ],
)
def test_bad_fields_are_refused_before_anything_is_stored(creator, images, media_root, fields, code):
    with pytest.raises(ApplicationError) as refused:
        studio_item_create(creator=creator, files=images(1), fields=fields)

    assert refused.value.code == code
    assert not ContentItem.objects.exists()
    assert not ContentMedia.objects.exists()


def test_an_inactive_product_is_named_in_the_refusal(creator, images):
    on_sale = ProductFactory()
    retired = ProductFactory(active=False)

    with pytest.raises(ApplicationError) as refused:
        studio_item_create(creator=creator, files=images(1), fields=PostFields(product_ids=[on_sale.pk, retired.pk]))

    assert (refused.value.code, refused.value.extra) == ("invalid_product", {"ids": [retired.pk]})
    assert not ContentItem.objects.exists()


def test_a_file_disguised_by_its_name_is_refused_and_nothing_is_stored(creator, media_root):
    disguised = upload("holiday.mp4", b"<html><script>alert(1)</script></html>" * 20, "video/mp4")

    with pytest.raises(MediaRefused) as refused:
        studio_item_create(creator=creator, files=[disguised], fields=PostFields())

    assert refused.value.extra["file"] == "holiday.mp4"
    assert not ContentItem.objects.exists()
    assert not ContentMedia.objects.exists()


# ---- editing ------------------------------------------------------------------------------------


def test_a_creator_edits_caption_tags_products_and_schedule_of_their_own_post(creator):
    item = ContentItemFactory(creator=creator, status=Status.PENDING, published_at=None, caption="old")
    serum = ProductFactory()
    later = timezone.now() + timedelta(days=2)

    studio_item_update(
        creator=creator,
        item_id=item.pk,
        fields=PostFields(caption="New #look", tags=["spf"], product_ids=[serum.pk], publish_at=later),
        changed={"caption", "tags", "product_ids", "publish_at"},
    )

    item.refresh_from_db()
    assert (item.caption, item.publish_at, item.status) == ("New #look", later, Status.PENDING)
    assert list(item.products.all()) == [serum]
    assert sorted(item.tags.values_list("slug", flat=True)) == ["look", "spf"]


def test_a_draft_asked_to_publish_goes_to_review(creator):
    item = ContentItemFactory(creator=creator, status=Status.DRAFT, published_at=None, intent="draft")

    updated = studio_item_update(
        creator=creator, item_id=item.pk, fields=PostFields(intent="publish"), changed={"intent"}
    )

    assert updated.status == Status.PENDING


def test_clearing_a_scheduled_posts_time_publishes_it_now(creator):
    item = ContentItemFactory(
        creator=creator, status=Status.SCHEDULED, published_at=None, publish_at=timezone.now() + timedelta(days=1)
    )

    updated = studio_item_update(creator=creator, item_id=item.pk, fields=PostFields(), changed={"publish_at"})

    assert (updated.status, updated.publish_at) == (Status.PUBLISHED, None)


def test_a_published_post_cannot_be_scheduled(creator):
    item = ContentItemFactory(creator=creator)

    with pytest.raises(ApplicationError) as refused:
        studio_item_update(
            creator=creator,
            item_id=item.pk,
            fields=PostFields(publish_at=timezone.now() + timedelta(days=1)),
            changed={"publish_at"},
        )

    assert refused.value.code == "already_published"
    item.refresh_from_db()
    assert item.publish_at is None


ACTIONS = {
    "update": lambda creator, pk: studio_item_update(
        creator=creator, item_id=pk, fields=PostFields(caption="mine"), changed={"caption"}
    ),
    "delete": lambda creator, pk: studio_item_delete(creator=creator, item_id=pk),
    "retry": lambda creator, pk: studio_item_retry(creator=creator, item_id=pk),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_another_creators_post_is_not_found_and_unchanged(creator, action):
    theirs = ContentItemFactory(creator=CreatorFactory(), caption="theirs", status=Status.FAILED, published_at=None)

    with pytest.raises(NotFound):
        ACTIONS[action](creator, theirs.pk)

    theirs.refresh_from_db()
    assert (theirs.caption, theirs.status) == ("theirs", Status.FAILED)


def test_delete_removes_the_post_from_the_studio_and_the_feed(creator):
    item = ContentItemFactory(creator=creator)

    studio_item_delete(creator=creator, item_id=item.pk)

    item.refresh_from_db()
    assert item.status == Status.REMOVED
    with pytest.raises(NotFound):
        studio_item_delete(creator=creator, item_id=item.pk)


def test_only_a_failed_post_can_be_retried(creator):
    item = ContentItemFactory(creator=creator)

    with pytest.raises(ApplicationError) as refused:
        studio_item_retry(creator=creator, item_id=item.pk)

    assert refused.value.code == "not_failed"


def test_an_upload_is_processed_then_goes_to_review_and_is_published_on_its_schedule(creator, images):
    later = timezone.now() + timedelta(hours=1)
    item, _ = studio_item_create(creator=creator, files=images(2), fields=PostFields(publish_at=later))

    media_process_item(item.pk)

    item.refresh_from_db()
    assert item.status == Status.PENDING
    assert [(m.file_type, bool(m.file)) for m in item.media_files.all()] == [("image/webp", True)] * 2
    assert content_publish(item=item).status == Status.SCHEDULED
    assert content_publish_due(now=later) == 1
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED


def test_a_failed_upload_is_retried_from_its_kept_originals(creator, images):
    item, _ = studio_item_create(creator=creator, files=images(1), fields=PostFields(intent="draft"))
    media_fail(item_id=item.pk, reason="The image could not be decoded.")

    retried = studio_item_retry(creator=creator, item_id=item.pk)

    assert (retried.status, retried.status_reason) == (Status.PROCESSING, "")
    media_process_item(item.pk)
    item.refresh_from_db()
    assert item.status == Status.DRAFT
