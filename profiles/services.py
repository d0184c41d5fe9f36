"""Every write to shoppers and their identity: accounts, visitors, consent, interests, follows, likes."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from content.models import ContentItem, Creator, Tag
from feedsite.errors import ApplicationError
from feedsite.roles import Role, role_join
from profiles import signals
from profiles.middleware import visitor_rotate
from profiles.models import ConsentRecord, Follow, FollowChange, Interest, Like, Shopper


class VisitorIdRetired(ApplicationError):
    http_status = 403


# A shopper's ``last_seen_at`` is written at most this often: a write, not every request, moves it.
LAST_SEEN_GRANULARITY = timedelta(hours=1)


def shopper_for_user(*, user: AbstractBaseUser) -> Shopper:
    """The user's shopper, created on first use (no query when it came with the user)."""
    with contextlib.suppress(Shopper.DoesNotExist):
        return user.shopper  # type: ignore[attr-defined]
    shopper, _ = Shopper.objects.get_or_create(user=user)
    return shopper


def shopper_for_visitor(*, visitor_id: uuid.UUID) -> Shopper:
    """The anonymous visitor's shopper, created on first use.

    Raises ``VisitorIdRetired`` for a visitor id merged into an account at sign-in (or an
    account's own): it is never the account's credential (``shopper_for_request`` gives such a
    request a new visitor id instead).
    """
    shopper, _ = Shopper.objects.get_or_create(visitor_id=visitor_id)
    if not shopper.answers_to_visitor_id:
        raise VisitorIdRetired("This visitor id is no longer valid.", code="visitor_retired")
    return shopper


def shopper_for_request(request: HttpRequest, *, create: bool = True) -> Shopper:
    """The shopper behind a request: the signed-in user's (or the token's), else the visitor's.

    ``create``: the request writes something of the shopper's (an event, a like, the cart, a
    consent choice, onboarding). A visitor's shopper is created by their first write only: with
    ``create=False`` (a read) a visitor who has none yet gets an unsaved ``Shopper`` (``pk`` None,
    the defaults: nothing followed, liked, seen or in the cart) and no row is created. A writing
    request also marks the shopper seen (``last_seen_at``, hourly), which keeps a visitor from
    expiring (``profiles.privacy.erasure.visitors_expire``).

    A retired visitor id (merged into an account at sign-in) names nobody: the request is given a
    new visitor id (``visitor_rotate``, the response carries it) and is a new visitor's.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        shopper = shopper_for_user(user=user)
    else:
        visitor_id: uuid.UUID = request.visitor_id  # type: ignore[attr-defined]
        found = Shopper.objects.filter(visitor_id=visitor_id).first()
        if found is not None and not found.answers_to_visitor_id:
            visitor_id, found = visitor_rotate(request), None
        if found is None:
            return shopper_for_visitor(visitor_id=visitor_id) if create else Shopper(visitor_id=visitor_id)
        shopper = found
    if create:
        shopper_seen(shopper=shopper)
    return shopper


def shopper_seen(*, shopper: Shopper) -> None:
    """Mark ``shopper`` active now (``last_seen_at``), unless it was within ``LAST_SEEN_GRANULARITY``."""
    now = timezone.now()
    if shopper.last_seen_at is None or now - shopper.last_seen_at >= LAST_SEEN_GRANULARITY:
        shopper.last_seen_at = now
        Shopper.objects.filter(pk=shopper.pk).update(last_seen_at=now)


@transaction.atomic
def shopper_merge_visitor(*, visitor_id: uuid.UUID, user: AbstractBaseUser) -> Shopper:
    """Sign-in: move an anonymous visitor's history to the user's shopper.

    Follows, interests and likes move here, and whatever the rooms above own (interactions, cart
    lines, orders) through ``signals.shopper_merged``; follows, interests and
    likes the user already has are kept once, and a product in both carts gets one line with the
    quantities added. Consent moves when the visitor chose more recently, onboarding when the user
    never did it. The visitor row stays, pointing at the user's shopper, so that export and erasure
    of the account find it; its visitor id is retired (``Shopper.answers_to_visitor_id``): the
    caller gives the browser a new one (``profiles.middleware.visitor_rotate``). Safe to call twice.
    """
    target = shopper_for_user(user=user)
    # Only a visitor id that still names its visitor: a retired one's history went to its account.
    visitor = Shopper.objects.select_for_update().filter(visitor_id=visitor_id, **Shopper.VISITOR_IDENTITY).first()
    if visitor is None or visitor.pk == target.pk or visitor.merged_into_id == target.pk:
        return target
    have_creators = set(Follow.objects.filter(shopper=target).values_list("creator_id", flat=True))
    Follow.objects.filter(shopper=visitor).exclude(creator_id__in=have_creators).update(shopper=target)
    have_tags = set(Interest.objects.filter(shopper=target).values_list("tag_id", flat=True))
    Interest.objects.filter(shopper=visitor).exclude(tag_id__in=have_tags).update(shopper=target)
    have_items = set(Like.objects.filter(shopper=target).values_list("content_id", flat=True))
    Like.objects.filter(shopper=visitor).exclude(content_id__in=have_items).update(shopper=target)
    signals.shopper_merged.send(sender=Shopper, source=visitor, target=target)
    # What is left on the visitor duplicates what the user already had.
    Follow.objects.filter(shopper=visitor).delete()
    Interest.objects.filter(shopper=visitor).delete()
    Like.objects.filter(shopper=visitor).delete()
    if visitor.onboarded_at and target.onboarded_at is None:
        target.onboarded_at = visitor.onboarded_at
        target.save(update_fields=["onboarded_at"])
    if visitor.consent_updated_at and (
        target.consent_updated_at is None or visitor.consent_updated_at > target.consent_updated_at
    ):
        target.personalization = visitor.personalization
        target.consent_updated_at = visitor.consent_updated_at
        target.save(update_fields=["personalization", "consent_updated_at"])
    visitor.merged_into = target
    visitor.save(update_fields=["merged_into"])
    return target


@transaction.atomic
def account_create(*, username: str, email: str, password: str, visitor_id: uuid.UUID | None) -> User:
    """Sign-up: a new user, a member of the ``shoppers`` role, whose shopper takes over the
    visitor's history (``shopper_merge_visitor``)."""
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    role_join(user=user, role=Role.SHOPPERS)
    if visitor_id is None:
        shopper_for_user(user=user)
    else:
        shopper_merge_visitor(visitor_id=visitor_id, user=user)
    return user


@transaction.atomic
def consent_set(*, shopper: Shopper, personalization: bool, source: str = "banner") -> Shopper:
    """Record the shopper's choice on personalization (kept as history in ConsentRecord)."""
    now = timezone.now()
    shopper.personalization = personalization
    shopper.consent_updated_at = now
    shopper.save(update_fields=["personalization", "consent_updated_at"])
    ConsentRecord.objects.create(shopper=shopper, personalization=personalization, source=source)
    return shopper


@transaction.atomic
def interests_set(*, shopper: Shopper, tags: Iterable[Tag]) -> Shopper:
    """Replace the shopper's onboarding interests and mark onboarding done."""
    wanted = {tag.pk: tag for tag in tags}
    Interest.objects.filter(shopper=shopper).exclude(tag_id__in=wanted).delete()
    Interest.objects.bulk_create([Interest(shopper=shopper, tag=tag) for tag in wanted.values()], ignore_conflicts=True)
    shopper.onboarded_at = timezone.now()
    shopper.save(update_fields=["onboarded_at"])
    return shopper


def follow_create(*, shopper: Shopper, creator: Creator) -> Follow:
    """Follow ``creator``; following twice is not an error and keeps one row. A new follow is
    logged as a ``FollowChange`` (the creator's follower growth)."""
    with transaction.atomic():
        follow, created = Follow.objects.get_or_create(shopper=shopper, creator=creator)
        if created:
            FollowChange.objects.create(creator=creator, delta=1, at=follow.created_at)
    return follow


def follow_delete(*, shopper: Shopper, creator: Creator) -> bool:
    """Unfollow; False when there was no follow. An unfollow is logged as a ``FollowChange``."""
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(shopper=shopper, creator=creator).delete()
        if deleted:
            FollowChange.objects.create(creator=creator, delta=-1, at=timezone.now())
    return deleted > 0


def like_create(*, shopper: Shopper, content: ContentItem) -> Like:
    """Like a published item; liking twice keeps one row. Refuses an item that is not published."""
    if content.status != ContentItem.Status.PUBLISHED:
        raise ApplicationError("This post is not available.", code="not_available")
    like, _ = Like.objects.get_or_create(shopper=shopper, content=content)
    return like


def like_delete(*, shopper: Shopper, content: ContentItem) -> bool:
    """Take a like back; False when there was none."""
    deleted, _ = Like.objects.filter(shopper=shopper, content=content).delete()
    return deleted > 0


def interest_add(*, shopper: Shopper, tag: Tag) -> Interest:
    """Add one interest; adding it twice keeps one row. Unlike ``interests_set``, onboarding is untouched."""
    interest, _ = Interest.objects.get_or_create(shopper=shopper, tag=tag)
    return interest


def interest_remove(*, shopper: Shopper, tag: Tag) -> bool:
    deleted, _ = Interest.objects.filter(shopper=shopper, tag=tag).delete()
    return deleted > 0


@transaction.atomic
def interests_tag_merged(*, source_id: int, target_id: int, **_: object) -> int:
    """``content.signals.tag_merged``: shoppers interested in the merged tag become interested in
    the one it was merged into (once); returns how many interests moved."""
    already = Interest.objects.filter(tag_id=target_id).values("shopper_id")
    Interest.objects.filter(tag_id=source_id, shopper_id__in=already).delete()
    return Interest.objects.filter(tag_id=source_id).update(tag_id=target_id)
