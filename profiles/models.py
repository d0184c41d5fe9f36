"""Shoppers (signed-in or anonymous), their consent, interests, follows and likes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from content.models import ContentItem, Creator, Tag


class Shopper(models.Model):
    """Somebody who scrolls the feed.

    An anonymous visitor is a shopper with ``user=None`` known by ``visitor_id`` (carried in a
    signed cookie), created by the visitor's first write (never by a read). On sign-in the
    visitor's history moves to the user's shopper and the visitor row points at it through
    ``merged_into``: its visitor id is retired, and names nobody to an anonymous request again.
    ``external_id`` is the id in an imported dataset. ``last_seen_at``: the last write of the
    shopper's own (to the hour), by which anonymous visitors expire.
    """

    # The shoppers a visitor id still names (``answers_to_visitor_id``), as a filter.
    VISITOR_IDENTITY = {"user__isnull": True, "merged_into__isnull": True, "external_id__isnull": True}

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="shopper"
    )
    visitor_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    personalization = models.BooleanField(default=True)
    consent_updated_at = models.DateTimeField(null=True, blank=True)
    onboarded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(merged_into=models.F("id")), name="shopper_not_merged_into_self"),
        ]
        indexes = [models.Index(fields=["-last_seen_at"], name="shopper_recent_idx")]
        permissions = [("export_shopper_data", "Can export a shopper's data")]

    def __str__(self) -> str:
        if self.user_id:
            return f"shopper {self.pk} ({self.user})"
        if self.external_id:
            return f"shopper {self.pk} (dataset {self.external_id})"
        return f"visitor {self.pk}"

    @property
    def is_anonymous_visitor(self) -> bool:
        return self.user_id is None and self.external_id is None

    @property
    def answers_to_visitor_id(self) -> bool:
        """Whether an anonymous request carrying this row's visitor id is this shopper: only an
        anonymous visitor not merged into an account."""
        return self.user_id is None and self.merged_into_id is None and self.external_id is None


class ConsentRecord(models.Model):
    """Every change of a shopper's personalization consent, newest last (the audit trail)."""

    shopper = models.ForeignKey(Shopper, on_delete=models.CASCADE, related_name="consent_records")
    personalization = models.BooleanField()
    source = models.CharField(max_length=32, default="banner")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shopper", "created_at"]


class Interest(models.Model):
    """A tag the shopper picked during onboarding."""

    shopper = models.ForeignKey(Shopper, on_delete=models.CASCADE, related_name="interests")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shopper", "tag"], name="interest_once")]


class Follow(models.Model):
    shopper = models.ForeignKey(Shopper, on_delete=models.CASCADE, related_name="follows")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shopper", "creator"], name="follow_once")]
        indexes = [models.Index(fields=["creator", "-created_at"], name="follow_creator_idx")]


class FollowChange(models.Model):
    """A follow (+1) or an unfollow (-1) of a creator, kept after the ``Follow`` row is gone.

    No shopper: it is the creator's follower count over time, not a record of who followed. Only
    ``follow_create`` and ``follow_delete`` write it; follows moved or erased elsewhere (a visitor
    merged into an account, an erasure) are not, so a growth series is anchored on today's count.
    """

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+", db_index=False)
    delta = models.SmallIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["creator", "at"], name="follow_change_creator_idx")]
        constraints = [models.CheckConstraint(condition=Q(delta__in=[1, -1]), name="follow_change_delta_one")]

    def __str__(self) -> str:
        return f"{self.delta:+d} follower of {self.creator_id}"


class Like(models.Model):
    """A shopper likes a content item: the durable state behind the heart (the ``like`` event is the signal)."""

    shopper = models.ForeignKey(Shopper, on_delete=models.CASCADE, related_name="likes")
    content = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shopper", "content"], name="like_once")]
        indexes = [models.Index(fields=["content"], name="like_content_idx")]

    def __str__(self) -> str:
        return f"{self.shopper_id} likes {self.content_id}"
