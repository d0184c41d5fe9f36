"""Every write of the studio: creator applications and their review, and a creator's own posts.

Each service checks who is asking (an approved creator, the item's own creator) and refuses with
``ApplicationError`` before it changes anything; the media checks run before anything is stored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from content import signals
from content.comment_checks import profile_verdict
from content.media.checks import image_check, media_check_uploads
from content.media.pipeline import media_originals_store
from content.models import ContentItem, Creator, Product, Tag
from content.services import content_create, content_publish, content_remove, content_submit
from content.tagging import item_tags_derive
from content.tasks import media_process_enqueue, media_retry
from feedsite.errors import ApplicationError, Forbidden, NotFound
from feedsite.roles import Role, role_join, role_leave

Status = ContentItem.Status

HANDLE_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{1,28})[a-z0-9]$")
# Handles that would read as the site speaking, or collide with its pages.
RESERVED_HANDLES = frozenset(
    [
        "about",
        "admin",
        "api",
        "app",
        "cart",
        "checkout",
        "feed",
        "feedsite",
        "help",
        "me",
        "media",
        "moderator",
        "null",
        "official",
        "p",
        "privacy",
        "root",
        "search",
        "settings",
        "signin",
        "signout",
        "signup",
        "staff",
        "static",
        "studio",
        "support",
        "undefined",
        "welcome",
    ]
)
CAPTION_MAX = 2200
PRODUCTS_MAX = 5
TAGS_MAX = 10
# Client tokens name an upload attempt; stored as the item's ``upload_key``, unique per creator.
CLIENT_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


# ---- creators -----------------------------------------------------------------------------------


def handle_validate(handle: str, *, creator: Creator | None = None) -> str:
    """``handle`` lower-cased, or ``ApplicationError(code="invalid_handle")`` saying what is wrong."""
    handle = handle.strip().lstrip("@").lower()
    if not HANDLE_PATTERN.match(handle):
        raise ApplicationError(
            "A handle is 3 to 30 lower-case letters, digits, - or _, starting and ending with a letter or digit.",
            code="invalid_handle",
            extra={"field": "handle"},
        )
    if handle in RESERVED_HANDLES:
        raise ApplicationError(f"@{handle} is reserved; choose another handle.", code="invalid_handle")
    taken = Creator.objects.filter(handle__iexact=handle)
    if creator is not None:
        taken = taken.exclude(pk=creator.pk)
    if taken.exists():
        raise ApplicationError(f"@{handle} is taken; choose another handle.", code="handle_taken")
    return handle


def _avatar_store(creator: Creator, avatar: UploadedFile) -> None:
    checked = image_check(avatar, max_bytes=settings.MEDIA_LIMITS["avatar_max_bytes"])
    creator.avatar.save(f"{creator.handle}{checked.extension}", checked.content, save=False)


@transaction.atomic
def creator_apply(
    *, user: User, handle: str, display_name: str, bio: str = "", avatar: UploadedFile | None = None
) -> Creator:
    """``user`` applies as a creator: approved at once when ``CREATOR_APPROVAL`` is "auto", else
    ``applied`` until staff review it (``creator_review``). A declined creator may apply again.

    Refuses (nothing stored) a user who is already a creator or has applied, a bad or taken handle,
    a profile the automatic checks refuse (``profile_refused``) and an avatar the image checks
    refuse (``MediaRefused``). ``signals.profile_saved`` is sent once it is stored.
    """
    existing = Creator.objects.select_for_update().filter(user=user).first()
    if existing is not None and existing.status != Creator.Status.DECLINED:
        word = "are already a creator" if existing.status == Creator.Status.APPROVED else "have already applied"
        raise ApplicationError(f"You {word} (@{existing.handle}).", code="already_a_creator")
    display_name = display_name.strip()
    if not display_name or len(display_name) > 100:
        raise ApplicationError("A display name is 1 to 100 characters.", code="invalid_display_name")
    if len(bio) > 500:
        raise ApplicationError("A bio is at most 500 characters.", code="invalid_bio")
    auto = settings.CREATOR_APPROVAL == "auto"
    creator = existing or Creator(user=user)
    creator.handle = handle_validate(handle, creator=existing)
    _profile_check(creator_id=creator.pk, display_name=display_name, bio=bio.strip(), user_id=user.pk)
    creator.display_name = display_name
    creator.bio = bio.strip()
    creator.kind = Creator.Kind.SHOPPER
    creator.status = Creator.Status.APPROVED if auto else Creator.Status.APPLIED
    creator.status_note = ""
    creator.reviewed_at = timezone.now() if auto else None
    if avatar is not None:
        _avatar_store(creator, avatar)
    try:
        with transaction.atomic():
            creator.save()
    except IntegrityError as exc:  # the same handle taken meanwhile
        raise ApplicationError(f"@{creator.handle} is taken; choose another handle.", code="handle_taken") from exc
    creator_role_sync(user=user)
    signals.profile_saved.send(sender=Creator, creator_id=creator.pk)
    return creator


@transaction.atomic
def creator_update(*, creator: Creator, display_name: str, bio: str, avatar: UploadedFile | None = None) -> Creator:
    """A creator changes their display name, bio or avatar (the handle stays: links point at it).

    Refuses (nothing stored) what the automatic checks refuse (``profile_refused``);
    ``signals.profile_saved`` is sent once it is stored."""
    display_name = display_name.strip()
    if not display_name or len(display_name) > 100:
        raise ApplicationError("A display name is 1 to 100 characters.", code="invalid_display_name")
    if len(bio) > 500:
        raise ApplicationError("A bio is at most 500 characters.", code="invalid_bio")
    _profile_check(creator_id=creator.pk, display_name=display_name, bio=bio.strip(), user_id=creator.user_id)
    creator.display_name = display_name
    creator.bio = bio.strip()
    if avatar is not None:
        _avatar_store(creator, avatar)
    creator.save(update_fields=["display_name", "bio", "avatar"])
    signals.profile_saved.send(sender=Creator, creator_id=creator.pk)
    return creator


def _profile_check(*, creator_id: int | None, display_name: str, bio: str, user_id: int | None) -> None:
    """Refuse (``ApplicationError(code="profile_refused")``, the check's reason in ``extra``) a profile
    the checks of ``signals.profile_submitted`` refuse; a held one is stored (a moderator looks)."""
    verdict = profile_verdict(creator_id=creator_id, display_name=display_name, bio=bio, user_id=user_id)
    if verdict.action == "refuse":
        raise ApplicationError(verdict.message, code="profile_refused", extra={"reason": verdict.reason})


@transaction.atomic
def creator_review(*, creator: Creator, approve: bool, note: str = "") -> Creator:
    """Staff approve or decline an application (or revoke an approval), stamped ``reviewed_at``;
    ``note`` is what the applicant is told. The creator's user joins or leaves the ``creators`` role."""
    locked = Creator.objects.select_for_update().get(pk=creator.pk)
    locked.status = Creator.Status.APPROVED if approve else Creator.Status.DECLINED
    locked.status_note = note.strip()[:300]
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["status", "status_note", "reviewed_at"])
    if locked.user is not None:
        creator_role_sync(user=locked.user)
    return locked


def creator_role_sync(*, user: User) -> None:
    """``user`` is in the ``creators`` role exactly when they have an approved creator."""
    if Creator.objects.filter(user=user, status=Creator.Status.APPROVED).exists():
        role_join(user=user, role=Role.CREATORS)
    else:
        role_leave(user=user, role=Role.CREATORS)


def creator_for_studio(user: User | None) -> Creator:
    """The approved creator behind ``user``, or ``Forbidden`` (``not_a_creator`` / ``creator_not_approved``)."""
    creator = Creator.objects.select_related("brand").filter(user=user).first() if user is not None else None
    if creator is None:
        raise Forbidden("Only creators can do this; apply in the studio first.", code="not_a_creator")
    if creator.status != Creator.Status.APPROVED:
        state = "still waiting for review" if creator.status == Creator.Status.APPLIED else "was declined"
        raise Forbidden(
            f"Your creator application {state}.", code="creator_not_approved", extra={"status": creator.status}
        )
    return creator


# ---- posts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostFields:
    """What a creator says about a post, as the form or the API parsed it (not yet checked)."""

    caption: str = ""
    tags: Sequence[str] = ()
    product_ids: Sequence[int] = ()
    intent: str = ContentItem.Intent.PUBLISH
    publish_at: datetime | None = None


def products_resolve(product_ids: Sequence[int]) -> list[Product]:
    """The products of ``product_ids`` in that order (duplicates dropped); every one must be on sale."""
    wanted = list(dict.fromkeys(product_ids))
    if len(wanted) > PRODUCTS_MAX:
        raise ApplicationError(
            f"A post links at most {PRODUCTS_MAX} products.", code="too_many_products", extra={"limit": PRODUCTS_MAX}
        )
    found = Product.objects.select_related("brand").in_bulk(wanted)
    bad = [pid for pid in wanted if pid not in found or not found[pid].active]
    if bad:
        raise ApplicationError(
            "These products do not exist or are not on sale: " + ", ".join(map(str, bad)) + ".",
            code="invalid_product",
            extra={"ids": bad},
        )
    return [found[pid] for pid in wanted]


def publish_at_validate(publish_at: datetime | None, *, now: datetime | None = None) -> datetime | None:
    if publish_at is None:
        return None
    if timezone.is_naive(publish_at):
        raise ApplicationError("A scheduled time needs its time zone.", code="invalid_publish_at")
    if publish_at <= (now or timezone.now()):
        raise ApplicationError("A scheduled time must be in the future.", code="invalid_publish_at")
    return publish_at


def _fields_check(fields: PostFields) -> tuple[list[Product], list[str]]:
    if len(fields.caption) > CAPTION_MAX:
        raise ApplicationError(
            f"A caption is at most {CAPTION_MAX} characters.", code="caption_too_long", extra={"limit": CAPTION_MAX}
        )
    if fields.intent not in ContentItem.Intent.values:
        raise ApplicationError("Choose draft or publish.", code="invalid_intent")
    names = list(dict.fromkeys(name.strip().lstrip("#") for name in fields.tags if name.strip().lstrip("#")))
    if len(names) > TAGS_MAX or any(len(name) > 60 or not slugify(name) for name in names):
        raise ApplicationError(
            f"At most {TAGS_MAX} tags of up to 60 characters, each with a letter or digit.",
            code="invalid_tags",
            extra={"limit": TAGS_MAX},
        )
    publish_at_validate(fields.publish_at)
    return products_resolve(fields.product_ids), names


def post_tags(*, caption: str, products: Sequence[Product], chosen: Sequence[str]) -> list[Tag]:
    """The tags of a post: hashtags, the chosen ones, known tags its caption names, and its
    products' categories and brands, through synonyms (``content.tagging``)."""
    return item_tags_derive(caption=caption, products=products, chosen=chosen)


def _token_key(creator: Creator, client_token: str) -> str:
    if not CLIENT_TOKEN.match(client_token):
        raise ApplicationError("An idempotency key is 8 to 64 letters, digits, - or _.", code="invalid_idempotency_key")
    return client_token


def studio_item_create(
    *, creator: Creator, files: Sequence[UploadedFile], fields: PostFields, client_token: str = ""
) -> tuple[ContentItem, bool]:
    """A new post of ``creator`` from uploaded ``files``; returns it and whether it was made now.

    The same ``client_token`` again (a retried upload) returns the post it made, storing nothing.
    Checks the fields, then the files (``media_check_uploads``: one video or 1..10 images, sniffed
    and limited), before anything is stored. The post starts ``processing``; the media pipeline
    (queue "media", enqueued on commit) makes it a draft or sends it to review per ``intent``.
    """
    key = _token_key(creator, client_token) if client_token else None
    if key is not None and (done := ContentItem.objects.filter(creator=creator, upload_key=key).first()) is not None:
        return done, False
    products, tag_names = _fields_check(fields)
    checked = media_check_uploads(list(files))
    kind = ContentItem.Kind.VIDEO if checked[0].kind == "video" else ContentItem.Kind.IMAGE
    try:
        with transaction.atomic():
            item = content_create(
                kind=kind,
                creator=creator,
                caption=fields.caption,
                products=products,
                tags=post_tags(caption=fields.caption, products=products, chosen=tag_names),
            )
            item.status = Status.PROCESSING
            item.intent = fields.intent
            item.publish_at = fields.publish_at
            item.upload_key = key or None
            item.save(update_fields=["status", "intent", "publish_at", "upload_key"])
            media_originals_store(item=item, files=checked)
            media_process_enqueue(item)
    except IntegrityError:
        # The same token raced in from a second request: that one stored the post.
        done = ContentItem.objects.filter(creator=creator, upload_key=key).first() if key is not None else None
        if done is None:
            raise
        return done, False
    return item, True


def studio_item_get(*, creator: Creator, item_id: int) -> ContentItem:
    """``creator``'s own, not removed, item; another creator's is "not found" (never revealed)."""
    item = (
        ContentItem.objects.filter(pk=item_id, creator=creator).exclude(status=Status.REMOVED).first()
        if item_id
        else None
    )
    if item is None:
        raise NotFound("You have no post with this id.")
    return item


@transaction.atomic
def studio_item_update(*, creator: Creator, item_id: int, fields: PostFields, changed: set[str]) -> ContentItem:
    """Edit the ``changed`` fields (caption, tags, products, publish_at, intent) of the creator's own post.

    A draft asked to publish goes to review; a scheduled post whose time is cleared is published
    now; a published post keeps its publication time (a new ``publish_at`` is refused).
    """
    item = ContentItem.objects.select_for_update().get(pk=studio_item_get(creator=creator, item_id=item_id).pk)
    current = PostFields(
        caption=fields.caption if "caption" in changed else item.caption,
        tags=fields.tags if "tags" in changed else [],
        product_ids=fields.product_ids
        if "product_ids" in changed
        else list(item.product_links.order_by("position").values_list("product_id", flat=True)),
        intent=fields.intent if "intent" in changed else item.intent,
        publish_at=fields.publish_at if "publish_at" in changed else None,
    )
    products, tag_names = _fields_check(current)
    if item.status == Status.PUBLISHED and current.publish_at is not None:
        raise ApplicationError("A published post cannot be scheduled.", code="already_published")
    update = ["caption", "intent"]
    item.caption = current.caption
    item.intent = current.intent
    if "publish_at" in changed and item.status != Status.PUBLISHED:
        item.publish_at = current.publish_at
        update.append("publish_at")
    item.save(update_fields=update)
    if "product_ids" in changed:
        item.product_links.all().delete()
        item.product_links.bulk_create(
            item.product_links.model(content=item, product=product, position=position)
            for position, product in enumerate(products)
        )
    if "tags" in changed or "caption" in changed:
        chosen = tag_names if "tags" in changed else list(item.tags.values_list("name", flat=True))
        item.tags.set(post_tags(caption=item.caption, products=products, chosen=chosen))
    if item.status == Status.DRAFT and item.intent == ContentItem.Intent.PUBLISH:
        item = content_submit(item=item)
    elif item.status == Status.SCHEDULED and item.publish_at is None:
        item = content_publish(item=item)
    return item


def studio_item_delete(*, creator: Creator, item_id: int) -> ContentItem:
    """Remove the creator's own post (``content_remove``): it leaves every feed at once."""
    return content_remove(item=studio_item_get(creator=creator, item_id=item_id))


def studio_item_retry(*, creator: Creator, item_id: int) -> ContentItem:
    """Process a failed post's kept originals again (``media_retry``)."""
    item = studio_item_get(creator=creator, item_id=item_id)
    if item.status != Status.FAILED:
        raise ApplicationError("Only a post whose processing failed can be retried.", code="not_failed")
    return media_retry(item=item)
