"""Fixtures of the catalog-sync tests: merchants of a brand, with their API tokens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from content.catalog.services import merchant_token_issue
from content.models import Brand
from tests.factories import BrandFactory, UserFactory


@dataclass
class Merchant:
    user: User
    brand: Brand
    client: APIClient


def merchant_of(*brands: Brand) -> Merchant:
    user = UserFactory()
    for brand in brands:
        brand.merchants.add(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {merchant_token_issue(user=user)}")
    return Merchant(user=user, brand=brands[0], client=client)


@pytest.fixture
def merchant(db) -> Merchant:
    return merchant_of(BrandFactory(slug="glow", name="Glow"))


@pytest.fixture
def rival(db) -> Merchant:
    return merchant_of(BrandFactory(slug="rival", name="Rival"))


def row(sku: str | None = None, **fields) -> dict:
    """A valid product body (a bulk row when ``sku`` is given)."""
    body = {"title": "Glow serum", "price": "24.90", "currency": "EUR", "stock": 12, **fields}
    return body if sku is None else {"sku": sku, **body}
