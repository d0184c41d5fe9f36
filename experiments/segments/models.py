"""Shopper segments: groups by recency, frequency and monetary value (RFM) and by behaviour.

A segment is stable by ``(kind, key)`` and recomputed in place: its members are replaced on each
run, so an experiment whose audience is a segment keeps pointing at it.
"""

from __future__ import annotations

from django.db import models

from profiles.models import Shopper


class SegmentKind(models.TextChoices):
    RFM = "rfm", "Recency, frequency, monetary value"
    BEHAVIOUR = "behaviour", "Behaviour (clusters of affinity profiles)"


class SegmentRun(models.Model):
    """One recomputation of a kind of segments: when, over how many shoppers, and the tests that
    the groups differ (``summary``)."""

    kind = models.CharField(max_length=10, choices=SegmentKind.choices)
    computed_at = models.DateTimeField(auto_now_add=True)
    # The moment the figures are measured at (``activity.activity_as_of``): the newest activity recorded.
    as_of = models.DateTimeField(null=True, blank=True)
    shoppers = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-computed_at"]
        indexes = [models.Index(fields=["kind", "-computed_at"], name="segmentrun_kind_idx")]
        permissions = [("recompute_segments", "Can recompute the segments now")]


class Segment(models.Model):
    kind = models.CharField(max_length=10, choices=SegmentKind.choices)
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    size = models.PositiveIntegerField(default=0)
    # The figures that define the group (e.g. median recency, frequency, spend; top categories).
    figures = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "key"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="segment_kind_key_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display().split(' ')[0]}: {self.name}"


class SegmentMember(models.Model):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    shopper = models.ForeignKey(Shopper, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shopper", "segment"], name="segment_member_once")]
