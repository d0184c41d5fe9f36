"""Creators' standing (computed reputation, moderators' blocks) and the audit of moderators' decisions.

A creator without a ``CreatorStanding`` row is in good standing with the neutral reputation
(``moderation.reputation.NEUTRAL``). Rows are written by ``moderation.services`` only: the hourly
reputation recompute writes the reputation and its evidence, a moderator's decision writes
``blocked`` and the fields after it; neither overwrites the other's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from content.models import Creator
from moderation.reputation import NEUTRAL


class CreatorStanding(models.Model):
    creator = models.OneToOneField(Creator, on_delete=models.CASCADE, related_name="standing")
    # 0..1 (moderation.reputation); below FEED_MIN_CREATOR_REPUTATION the creator is not served.
    reputation = models.FloatField(default=NEUTRAL)
    # What the reputation was computed from, so that a moderator can see why.
    items_judged = models.PositiveIntegerField(default=0)
    items_removed = models.PositiveIntegerField(default=0)
    impressions = models.PositiveIntegerField(default=0)
    hides = models.PositiveIntegerField(default=0)
    reputation_at = models.DateTimeField(null=True, blank=True)
    # A moderator's decision: a blocked creator is never served, whatever the reputation.
    blocked = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reputation__gte=0) & Q(reputation__lte=1), name="standing_reputation_in_unit_range"
            ),
        ]

    def __str__(self) -> str:
        return f"standing of {self.creator}"


class CreatorDecision(models.Model):
    """One moderator decision about a creator, as it was taken; rows are only ever added."""

    class Action(models.TextChoices):
        BLOCK = "block", "Block"
        UNBLOCK = "unblock", "Unblock"

    # The record outlives the creator: the handle says whom it was about.
    creator = models.ForeignKey(Creator, null=True, on_delete=models.SET_NULL, related_name="decisions")
    creator_handle = models.CharField(max_length=50)
    action = models.CharField(max_length=16, choices=Action.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["creator", "-at"], name="decision_creator_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} @{self.creator_handle}"
