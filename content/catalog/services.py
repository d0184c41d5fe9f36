"""Writes of the catalog sync: a merchant's products by SKU, one or many, and merchants' API tokens.

Every product write goes through ``content.services.product_upsert``, as admin edits do, so the
same ``product_changed`` signal reaches the feed's caches and the shoppers' notices.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from rest_framework.authtoken.models import Token

from content.catalog.selectors import merchant_brands
from content.models import Brand, Product
from content.services import product_upsert
from feedsite.errors import ApplicationError, Forbidden
from feedsite.roles import Role, role_join, role_leave

# Rows of one bulk call: what one request can write within a few seconds.
BULK_MAX_ROWS = 500


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ProductData:
    """A product as the merchant states it (validated by ``serializers.ProductInputSerializer``)."""

    title: str
    price: Decimal | None
    currency: str
    stock: int
    active: bool = True
    category_path: str = ""
    compare_at_price: Decimal | None = None
    promotion_label: str = ""
    promotion_ends_at: datetime | None = None
    brand: str | None = None  # a slug; needed only by a merchant of several brands

    def fields(self) -> dict[str, Any]:
        """What ``product_upsert`` sets, apart from the key and the brand."""
        return {
            "title": self.title,
            "price": self.price,
            "currency": self.currency,
            "stock": self.stock,
            "active": self.active,
            "category_path": self.category_path,
            "compare_at_price": self.compare_at_price,
            "promotion_label": self.promotion_label,
            "promotion_ends_at": self.promotion_ends_at,
        }


@dataclass(frozen=True)
class PutResult:
    product: Product
    outcome: Outcome


def _brand_for(brands: Sequence[Brand], slug: str | None, existing: Product | None) -> Brand:
    if slug is not None:
        brand = next((b for b in brands if b.slug == slug), None)
        if brand is None:
            raise Forbidden(
                f"You do not sync the catalog of brand {slug!r}.", code="not_your_brand", extra={"brand": slug}
            )
        return brand
    if existing is not None and existing.brand is not None:
        return existing.brand
    if len(brands) == 1:
        return brands[0]
    raise ApplicationError(
        "You sync several brands: say which one this product is (`brand`, a slug).",
        code="brand_required",
        extra={"brands": [b.slug for b in brands]},
    )


@transaction.atomic
def catalog_product_put(*, brands: Sequence[Brand], sku: str, data: ProductData) -> PutResult:
    """Create or replace the product ``sku`` of one of ``brands`` (the merchant's).

    SKUs are one namespace across brands (``Product.external_id``): a SKU of another brand's
    product, or of one no brand owns, raises ``Forbidden`` (``not_your_product``) and writes
    nothing. A product equal to ``data`` is left alone (``unchanged``: no write, no signal), so
    a merchant may resend a whole catalog. The row is locked while it is compared.
    """
    if not brands:
        raise Forbidden("This account does not sync any brand's catalog.", code="not_a_merchant")
    existing = Product.objects.select_for_update(of=("self",)).select_related("brand").filter(external_id=sku).first()
    if existing is not None and existing.brand_id not in {b.pk for b in brands}:
        raise Forbidden(
            f"SKU {sku!r} is another catalog's product; it cannot be changed from this account.",
            code="not_your_product",
            extra={"sku": sku},
        )
    brand = _brand_for(brands, data.brand, existing)
    fields = data.fields()
    if (
        existing is not None
        and existing.brand_id == brand.pk
        and all(getattr(existing, name) == value for name, value in fields.items())
    ):
        return PutResult(product=existing, outcome=Outcome.UNCHANGED)
    product = product_upsert(external_id=sku, brand=brand, **fields)
    product.refresh_from_db()  # the stored values (rounded decimals, the update time)
    return PutResult(product=product, outcome=Outcome.CREATED if existing is None else Outcome.UPDATED)


def catalog_products_put_many(
    *, brands: Sequence[Brand], rows: Sequence[tuple[int, str, ProductData]]
) -> dict[int, PutResult | ApplicationError]:
    """``catalog_product_put`` for each ``(index, sku, data)`` row, each in its own transaction:
    a refused row (its ``ApplicationError``, by index) leaves the others written. A SKU given
    again in the same call is refused (``duplicate_sku``), the first one kept."""
    if len(rows) > BULK_MAX_ROWS:
        raise ApplicationError(
            f"At most {BULK_MAX_ROWS} products per call.", code="too_many_rows", extra={"max": BULK_MAX_ROWS}
        )
    results: dict[int, PutResult | ApplicationError] = {}
    first_of: dict[str, int] = {}
    for index, sku, data in rows:
        if sku in first_of:
            results[index] = ApplicationError(
                f"SKU {sku!r} is already row {first_of[sku]} of this call.",
                code="duplicate_sku",
                extra={"first_index": first_of[sku]},
            )
            continue
        first_of[sku] = index
        try:
            results[index] = catalog_product_put(brands=brands, sku=sku, data=data)
        except ApplicationError as refused:
            results[index] = refused
    return results


def merchant_token_issue(*, user: User, rotate: bool = False) -> str:
    """The API token of a merchant account (created on first use); ``rotate`` replaces it, so the
    old key stops working at once. Refused (``not_a_merchant``) for an account of no brand."""
    if not merchant_brands(user):
        raise ApplicationError(
            f"{user.get_username()} is not a merchant: add the account to a brand's merchants in admin first.",
            code="not_a_merchant",
        )
    with transaction.atomic():
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _ = Token.objects.get_or_create(user=user)
    return str(token.key)


def merchant_role_sync(*, users: Iterable[User]) -> None:
    """Each of ``users`` is in the ``merchants`` role exactly when a brand lists them as merchant.

    Called after ``Brand.merchants`` changes, with the accounts added and removed."""
    for user in users:
        if merchant_brands(user):
            role_join(user=user, role=Role.MERCHANTS)
        else:
            role_leave(user=user, role=Role.MERCHANTS)
