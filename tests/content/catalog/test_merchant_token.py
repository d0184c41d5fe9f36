"""``manage.py merchant_token USERNAME [--rotate]``: how staff hand a merchant its API token."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import BrandFactory, UserFactory

pytestmark = pytest.mark.django_db


def merchant_token(*args: str) -> str:
    out = io.StringIO()
    call_command("merchant_token", *args, stdout=out)
    return out.getvalue().strip()


def test_the_token_printed_opens_the_catalog_api_and_rotating_it_closes_the_old_one():
    user = UserFactory(username="glow-shop")
    BrandFactory(slug="glow").merchants.add(user)

    first = merchant_token("glow-shop")
    again = merchant_token("glow-shop")
    rotated = merchant_token("glow-shop", "--rotate")

    def status(key: str) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client.get("/api/v1/catalog/products/NONE-1").status_code

    assert first == again != rotated
    assert (status(first), status(rotated)) == (401, 404)
    assert list(Token.objects.values_list("key", flat=True)) == [rotated]


@pytest.mark.parametrize(("username", "message"), [("shopper", "is not a merchant"), ("nobody", "No account")])
def test_no_token_for_an_account_that_is_no_merchant(username, message):
    UserFactory(username="shopper")

    with pytest.raises(CommandError, match=message):
        merchant_token(username)

    assert Token.objects.count() == 0
