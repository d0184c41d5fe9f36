"""Messages to shoppers (the in-site inbox, and the email of each when allowed) and email preferences."""

from __future__ import annotations

from django.db import models

from content.models import Product
from profiles.models import Shopper
from profiles.shop.models import Cart


class MessageKind(models.TextChoices):
    ABANDONED_CART = "abandoned_cart", "Cart reminder"
    BACK_IN_STOCK = "back_in_stock", "Back in stock"
    PRICE_DROP = "price_drop", "Price drop"


class Message(models.Model):
    """One message to a shopper: always in their inbox; emailed when their preferences allow.

    ``dedupe_key`` names the trigger (``abandoned_cart:<cart>:<last change>``,
    ``back_in_stock:<alert>``, ``price_drop:<product>:<shopper>:<price>``): a trigger run twice makes
    one message. ``product`` is what the message is about (for a cart, its first line), and where
    its link leads unless it is about a ``cart``.
    """

    shopper = models.ForeignKey(Shopper, on_delete=models.CASCADE, related_name="inbox_messages")
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=2000)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cart = models.ForeignKey(Cart, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dedupe_key = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="message_dedupe_key_unique")]
        indexes = [models.Index(fields=["shopper", "-created_at"], name="message_shopper_idx")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.shopper_id}: {self.subject}"


class MessagePreference(models.Model):
    """Which kinds of message a shopper gets by email (the inbox gets every kind). No row: all on."""

    shopper = models.OneToOneField(Shopper, on_delete=models.CASCADE, related_name="message_preference")
    email_abandoned_cart = models.BooleanField(default=True)
    email_back_in_stock = models.BooleanField(default=True)
    email_price_drop = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"message preferences of {self.shopper_id}"

    def emails(self, kind: str) -> bool:
        return bool(getattr(self, f"email_{kind}"))
