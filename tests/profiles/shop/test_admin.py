"""Admin for likes, carts, orders (profiles) and comments (content)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CartLineFactory, CommentFactory, LikeFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


def _rows(model):
    return {
        "like": lambda: LikeFactory(),
        "cart": lambda: CartLineFactory(),
        "order": lambda: OrderLineFactory(),
        "comment": lambda: CommentFactory(),
    }[model]


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("app", "model"), [("profiles", "like"), ("shop", "cart"), ("shop", "order"), ("content", "comment")]
)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, app, model):
    url = reverse(f"admin:{app}_{model}_changelist")
    make = _rows(model)
    make()
    one = _queries(admin_client, url)
    for _ in range(4):
        make()

    assert _queries(admin_client, url) == one


def test_orders_are_found_by_number_and_cannot_be_changed(admin_client):
    line = OrderLineFactory()
    OrderLineFactory()

    listed = admin_client.get(reverse("admin:shop_order_changelist"), {"q": line.order.number})
    page = admin_client.get(reverse("admin:shop_order_change", args=[line.order.pk]))

    assert [order.pk for order in listed.context["cl"].result_list] == [line.order.pk]
    assert page.context["has_change_permission"] is False
