"""Creators' standing (reputation, blocks) and shoppers' trust, with what each was computed from.

A creator without a ``CreatorStanding`` row is in good standing with the neutral reputation
(``ranking.signals.NEUTRAL_REPUTATION``, which ``moderation.reputation.NEUTRAL`` is); a shopper
without a ``ShopperTrust`` row is fully trusted.
Rows are written by moderation's services only: the reputation recompute writes the computed
score and its evidence, a moderator writes ``blocked`` or an override (with a reason); neither
overwrites the other's. ``reputation`` / ``trust`` is what the rest of the product reads: the
override when a moderator set one, else the computed score.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from content.models import Creator
from ranking.signals import NEUTRAL_REPUTATION as NEUTRAL


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
    # The formula's output; ``reputation`` equals it unless a moderator overrode it.
    computed = models.FloatField(default=NEUTRAL)
    # More evidence (running totals, advanced incrementally past ``ReputationCursor``).
    upheld_reports = models.PositiveIntegerField(default=0)
    views = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    purchases = models.PositiveIntegerField(default=0)
    # Video progress events and the sum of their fractions watched (0..1 each): watch-through = sum / count.
    watch_events = models.PositiveIntegerField(default=0)
    watch_sum = models.FloatField(default=0.0)
    account_age_days = models.PositiveIntegerField(default=0)
    # Set by ``creator_reputation_touch`` (an item's status or a report changed): the next
    # incremental run recomputes this creator although no new interaction names them.
    stale = models.BooleanField(default=False)
    # A moderator's override of the computed reputation, with its reason (audited).
    override = models.FloatField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
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
        indexes = [models.Index(fields=["creator"], condition=Q(stale=True), name="standing_stale_idx")]

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


class ShopperTrust(models.Model):
    """How much a shopper's signals are believed (0..1; 1 = fully, the default for a shopper without a
    row): reports from low-trust shoppers do not hide items, and their interactions count less in
    counters and trending. Computed from signs of automation; a moderator may override it."""

    shopper = models.OneToOneField("profiles.Shopper", on_delete=models.CASCADE, related_name="trust")
    trust = models.FloatField(default=1.0)
    computed = models.FloatField(default=1.0)
    # The inputs, so that a moderator can see why.
    events = models.PositiveIntegerField(default=0)
    impressions = models.PositiveIntegerField(default=0)
    # Actions (likes, shares, carts…) on items the shopper was never shown.
    unexposed_actions = models.PositiveIntegerField(default=0)
    # Likes, shares and carts: what ``unexposed_actions`` is a share of.
    actions = models.PositiveIntegerField(default=0)
    # The most events in any one minute.
    peak_per_minute = models.PositiveIntegerField(default=0)
    # Coefficient of variation of the gaps between events (people are irregular; scripts are not).
    gap_cv = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    override = models.FloatField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(trust__gte=0) & Q(trust__lte=1), name="trust_in_unit_range"),
        ]
        verbose_name = "shopper's trust"
        verbose_name_plural = "shoppers' trust"

    def __str__(self) -> str:
        return f"trust of shopper {self.shopper_id}"


class ReputationCursor(models.Model):
    """How far an incremental recompute has read (the last interaction id it counted), by name."""

    name = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)
    at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_id}"
