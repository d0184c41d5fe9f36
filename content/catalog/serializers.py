"""The catalog sync's request and response shapes: input validation and schema, no business rules."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

from content.models import Product

# What a SKU may be in a URL path and a row: letters, digits, ".", "_", "-"; 1–100 characters.
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# Product.stock is a PostgreSQL integer.
STOCK_MAX = 2**31 - 1


class ProductInputSerializer(serializers.Serializer):
    """One product as the merchant states it. PUT replaces: an optional field left out takes its default."""

    title = serializers.CharField(max_length=300)
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, allow_null=True, help_text="null: listed but not for sale"
    )
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", help_text="ISO 4217, e.g. EUR")
    stock = serializers.IntegerField(min_value=0, max_value=STOCK_MAX)
    active = serializers.BooleanField(default=True, help_text="false: withdrawn from sale")
    category_path = serializers.CharField(
        max_length=300, allow_blank=True, default="", help_text='e.g. "Beauty > Skin > Serum"'
    )
    brand = serializers.SlugField(
        max_length=200, required=False, help_text="the brand's slug; needed only by a merchant of several brands"
    )
    compare_at_price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        allow_null=True,
        default=None,
        help_text="the struck-through price of a promotion; must exceed `price`",
    )
    promotion_label = serializers.CharField(max_length=40, allow_blank=True, default="")
    promotion_ends_at = serializers.DateTimeField(allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields) - {"sku"})
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        attrs["currency"] = attrs["currency"].upper()
        return attrs


class BulkRowSerializer(ProductInputSerializer):
    sku = serializers.RegexField(SKU_RE.pattern, max_length=100)


class BulkInputSerializer(serializers.Serializer):
    products = serializers.ListField(child=BulkRowSerializer(), max_length=500, help_text="at most 500 rows")


class ProductOutputSerializer(serializers.Serializer):
    """A product as the catalog API answers it (``product_json``): documentation of the schema only."""

    sku = serializers.CharField()
    brand = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    category_path = serializers.CharField(allow_blank=True)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    stock = serializers.IntegerField()
    active = serializers.BooleanField()
    in_stock = serializers.BooleanField(help_text="active and stock above 0: what shoppers may buy")
    compare_at_price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    promotion_label = serializers.CharField(allow_blank=True)
    promotion_ends_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


class PutResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    product = ProductOutputSerializer()


class BulkResultSerializer(serializers.Serializer):
    class CatalogRowResult(serializers.Serializer):
        class CatalogRowError(serializers.Serializer):
            code = serializers.CharField()
            message = serializers.CharField()
            extra = serializers.DictField()

        index = serializers.IntegerField(help_text="the row's index in `products`")
        sku = serializers.CharField(allow_null=True)
        status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "rejected"])
        error = CatalogRowError(required=False, help_text="only for a rejected row")

    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = CatalogRowResult(many=True)


def product_json(product: Product) -> dict[str, Any]:
    def money(value: Any) -> str | None:
        return None if value is None else f"{value:.2f}"

    return {
        "sku": product.external_id,
        "brand": product.brand.slug if product.brand else None,
        "title": product.title,
        "category_path": product.category_path,
        "price": money(product.price),
        "currency": product.currency,
        "stock": product.stock,
        "active": product.active,
        "in_stock": product.in_stock,
        "compare_at_price": money(product.compare_at_price),
        "promotion_label": product.promotion_label,
        "promotion_ends_at": product.promotion_ends_at.isoformat() if product.promotion_ends_at else None,
        "updated_at": product.updated_at.isoformat(),
    }
