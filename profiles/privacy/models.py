"""The archive of past hours of events, and the audit trail of erasures."""

from __future__ import annotations

from django.db import models


class ArchivedHour(models.Model):
    """One UTC hour of interactions archived to object storage (``profiles.privacy.archive``).

    ``path`` is the file holding the hour now: ``archive/interactions/YYYY/MM/DD/HH.jsonl.gz``, or a
    sibling name the storage chose while that name was being replaced. Every row of the hour received
    up to ``covered_until`` is in the file; rows received later are merged by the next archive run.
    ``purged_at`` is set once the hour's rows have been deleted from the database.
    """

    hour = models.DateTimeField(unique=True)
    rows = models.PositiveIntegerField()
    path = models.CharField(max_length=255)
    covered_until = models.DateTimeField()
    purged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["hour"]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}:00 UTC ({self.rows} rows)"


class ArchivedShopperHour(models.Model):
    """Which archived hours hold a shopper's rows, so export and erasure open only those files.

    ``shopper_id`` is a plain number, not a foreign key: the archive outlives the shopper's rows.
    """

    archived_hour = models.ForeignKey(ArchivedHour, on_delete=models.CASCADE, related_name="shoppers")
    shopper_id = models.BigIntegerField()
    rows = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shopper_id", "archived_hour"], name="archived_shopper_hour_once")
        ]


class ErasureRecord(models.Model):
    """The audit trail of data erasures: who asked, when, and how much went from each store.

    Holds nothing about the person: ``subject_ref`` is a keyed hash of the shopper id
    (``profiles.privacy.erasure.subject_ref``), one record per subject; ``stores`` maps store name → count.
    """

    subject_ref = models.CharField(max_length=64, unique=True)
    requested_by = models.CharField(max_length=150)
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    stores = models.JSONField(default=dict)

    class Meta:
        ordering = ["-requested_at"]
