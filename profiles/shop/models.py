"""Carts and orders."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from content.models import ContentItem, Product
from profiles.models import Shopper


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


class StockAlert(models.Model):
    """A signed-in shopper asked to hear when a sold-out product is back.

    ``due_at``: when the product came back in stock (``alerts.stock_alerts_due``); the message
    (``profiles.messages.triggers.back_in_stock_messages``) sets ``notified_at`` once it is made. A shopper has one
    alert per product; signing up again after a message starts a fresh one.
    """

    shopper = models.ForeignKey(Shopper, on_delete=models.CASCADE, related_name="stock_alerts")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_alerts")
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["shopper", "product"], name="stock_alert_once")]
        indexes = [models.Index(fields=["product", "due_at"], name="stock_alert_product_idx")]

    def __str__(self) -> str:
        return f"stock alert of {self.shopper_id} for {self.product_id}"
