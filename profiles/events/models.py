"""The stored event log and the write-ahead of accepted events not yet stored."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from content.models import ContentItem, Product
from profiles.models import Shopper


class InteractionType(models.TextChoices):
    IMPRESSION = "impression"
    VIEW = "view"
    DWELL = "dwell"
    VIDEO_PROGRESS = "video_progress"
    OPEN = "open"
    LIKE = "like"
    UNLIKE = "unlike"
    SHARE = "share"
    COMMENT = "comment"
    FOLLOW = "follow"
    PRODUCT_CLICK = "product_click"
    ADD_TO_CART = "add_to_cart"
    PURCHASE = "purchase"
    RATE = "rate"
    SKIP = "skip"
    HIDE = "hide"
    OTHER = "other"
    MESSAGE_OPEN = "message_open"
    MESSAGE_CLICK = "message_click"


class Interaction(models.Model):
    """One thing a shopper did with a content item. ``event_id`` is the client's idempotency key."""

    event_id = models.CharField(max_length=64)
    # Every index here is paid for on each of thousands of inserts a second: the composite indexes
    # below already lead with shopper and content, so the foreign keys get no index of their own.
    shopper = models.ForeignKey(Shopper, on_delete=models.CASCADE, related_name="interactions", db_index=False)
    content = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="interactions", db_index=False)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    type = models.CharField(max_length=16, choices=InteractionType.choices)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    session_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    dwell_ms = models.PositiveIntegerField(null=True, blank=True)
    # Rating stars, video progress share, quantity: whatever number the type carries.
    value = models.FloatField(null=True, blank=True)
    context = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["shopper", "-occurred_at"], name="interaction_shopper_idx"),
            models.Index(fields=["content", "-occurred_at"], name="interaction_content_idx"),
            models.Index(fields=["occurred_at"], name="interaction_time_idx"),
        ]
        # A constraint rather than unique=True: PostgreSQL then gets no second, LIKE-only index.
        constraints = [models.UniqueConstraint(fields=["event_id"], name="interaction_event_id_unique")]

    def __str__(self) -> str:
        return f"{self.type} by {self.shopper_id} on {self.content_id}"


class EventBacklog(models.Model):
    """The write-ahead: every accepted event, from its acceptance until it is stored as an interaction.

    Ingestion inserts a batch's new events here before it answers (``backlog_write``), then appends
    them to the stream; the writer deletes them in the transaction that stores them. So an accepted
    event is always here or in ``Interaction``, whatever the real-time store loses: events parked
    while it was down, or lost from its stream by a restart, are appended again by the consumer's
    ``backlog_reconcile``.
    """

    event_id = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    # When it was last handed to the stream (or tried to be); ``backlog_reconcile`` compares it with
    # the stream's oldest unacknowledged entry.
    appended_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
