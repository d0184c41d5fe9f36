"""What the feed served: every page, its cards and why, so training can join it with what followed."""

from __future__ import annotations

import uuid

from django.db import models

from profiles.models import Shopper


class FeedRequest(models.Model):
    """One served feed page (the served-list log).

    ``feed_session`` ties the pages of one scroll together (the cursor carries it); ``items`` are
    content ids in served order, ``reasons`` the machine-readable reason of each, aligned.
    """

    request_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shopper = models.ForeignKey(Shopper, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    feed_session = models.UUIDField(db_index=True)
    page = models.PositiveIntegerField(default=0)
    served_at = models.DateTimeField(auto_now_add=True)
    items = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    variant = models.CharField(max_length=64, blank=True)
    features = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["shopper", "-served_at"], name="feedrequest_shopper_idx"),
            models.Index(fields=["-served_at"], name="feedrequest_recent_idx"),
        ]
