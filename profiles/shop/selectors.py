"""Reads of the shop: who has what in their cart."""

from __future__ import annotations

from profiles.shop.models import CartLine


def shoppers_with_product_in_cart(product_id: int) -> list[int]:
    """Ids of the shoppers whose cart holds ``product_id`` (price-drop and back-in-stock notices)."""
    rows = CartLine.objects.filter(product_id=product_id).values_list("cart__shopper_id", flat=True)
    return sorted(set(rows))
