"""Reads of the catalog sync: which brands a merchant speaks for, and their products."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from content.models import Brand, Product


def merchant_brands(user: User | AnonymousUser) -> list[Brand]:
    """The brands ``user`` may sync the catalog of (``Brand.merchants``), by slug; none for anybody else."""
    if not user.is_authenticated or not user.is_active:
        return []
    return list(Brand.objects.filter(merchants=user).order_by("slug"))


def merchant_product(*, brands: list[Brand], sku: str) -> Product | None:
    """The product ``sku`` when it belongs to one of ``brands``; None otherwise (absent or another's)."""
    return Product.objects.select_related("brand").filter(external_id=sku, brand__in=brands).first()
