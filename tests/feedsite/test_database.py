import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from feedsite.env import PREPARE_THRESHOLD
from tests.factories import ContentItemFactory, ShopperFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.postgresql_only  # statements are prepared on PostgreSQL only
def test_the_feeds_fixed_queries_are_planned_once_per_connection_whatever_the_page_size():
    ContentItemFactory.create_batch(4)
    shopper = ShopperFactory(user=UserFactory())
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=shopper.user).key}")

    pages = PREPARE_THRESHOLD + 3
    sizes = [len(client.get("/api/v1/feed", {"limit": 1 + n % 4}).json()["cards"]) for n in range(pages)]

    assert sorted(set(sizes)) == [1, 2, 3, 4]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        runs = dict(cursor.fetchall())
    token_read = [n for sql, n in runs.items() if "authtoken_token" in sql]
    social = [n for sql, n in runs.items() if "profiles_like" in sql and "ANY(" in sql]
    # Prepared on the run past the threshold, then run as prepared: one statement each, however
    # many cards a page has.
    assert token_read == [pages - PREPARE_THRESHOLD]
    assert social == [pages - PREPARE_THRESHOLD]
