"""Shoppers (signed-in or anonymous), their consent, interests, follows, likes, carts, orders and interactions."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from content.models import ContentItem, Creator, Product, Tag


class Shopper(models.Model):
    """Somebody who scrolls the feed.

    An anonymous visitor is a shopper with ``user=None`` known by ``visitor_id`` (carried in a
    signed cookie). On sign-in the visitor's history moves to the user's shopper and the visitor
    row points at it through ``merged_into``. ``external_id`` is the id in an imported dataset.
    """

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

    def __str__(self) -> str:
        if self.user_id:
            return f"shopper {self.pk} ({self.user})"
        if self.external_id:
            return f"shopper {self.pk} (dataset {self.external_id})"
        return f"visitor {self.pk}"

    @property
    def is_anonymous_visitor(self) -> bool:
        return self.user_id is None and self.external_id is None


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


class Cart(models.Model):
    """A shopper's cart: one per shopper, made on first add. Checkout locks this row."""

    shopper = models.OneToOneField(Shopper, on_delete=models.CASCADE, related_name="cart")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart of {self.shopper_id}"


class CartLine(models.Model):
    """One product in a cart.

    ``content``, ``request_id`` and ``position`` say which feed card the product was added from,
    so that the purchase event of the line credits that card and that served slot.
    """

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="cart_lines")
    quantity = models.PositiveSmallIntegerField(default=1)
    content = models.ForeignKey(ContentItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    request_id = models.CharField(max_length=64, blank=True)
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cart", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_line_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class Order(models.Model):
    """A placed order. Payment is simulated: ``payment_reference`` never names a real payment."""

    class Status(models.TextChoices):
        PAID = "paid", "Paid (simulated)"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=16, unique=True)
    shopper = models.ForeignKey(Shopper, on_delete=models.CASCADE, related_name="orders")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PAID)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_name = models.CharField(max_length=150)
    shipping_address = models.TextField(max_length=500)
    payment_reference = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["shopper", "-created_at"], name="order_shopper_idx")]
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative")]

    def __str__(self) -> str:
        return f"order {self.number}"


class OrderLine(models.Model):
    """A product bought, with its title and price as they were at checkout (the product may change later)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, on_delete=models.SET_NULL, related_name="+")
    content = models.ForeignKey(ContentItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=300)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


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
    """Accepted events parked in the database while the real-time store is unreachable.

    The consumer replays them into the stream when the store is back (``events.backlog``), then
    deletes them; until then they are durable here, so an outage loses nothing.
    """

    event_id = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class ArchivedHour(models.Model):
    """One UTC hour of interactions archived to object storage (``profiles.archive``).

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
    (``profiles.privacy.subject_ref``), one record per subject; ``stores`` maps store name → count.
    """

    subject_ref = models.CharField(max_length=64, unique=True)
    requested_by = models.CharField(max_length=150)
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    stores = models.JSONField(default=dict)

    class Meta:
        ordering = ["-requested_at"]
