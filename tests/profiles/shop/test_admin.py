"""Admin for likes, carts, orders, stock alerts (profiles) and comments (content)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CartLineFactory,
    CommentFactory,
    LikeFactory,
    OrderLineFactory,
    ProductFactory,
    StockAlertFactory,
)

pytestmark = pytest.mark.django_db


def _rows(model):
    return {
        "like": lambda: LikeFactory(),
        "cart": lambda: CartLineFactory(),
        "order": lambda: OrderLineFactory(),
        "comment": lambda: CommentFactory(),
        "stockalert": lambda: StockAlertFactory(),
    }[model]


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("app", "model"),
    [("profiles", "like"), ("shop", "cart"), ("shop", "order"), ("shop", "stockalert"), ("content", "comment")],
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


@pytest.mark.parametrize("state", ["waiting", "due", "notified"])
def test_stock_alerts_are_listed_by_product_and_filtered_by_state(admin_client, state):
    now = timezone.now()
    balm, cream = ProductFactory(title="Balm", stock=0), ProductFactory(title="Cream", stock=0)
    alerts = {
        "waiting": [StockAlertFactory(product=cream), StockAlertFactory(product=balm)],
        "due": [StockAlertFactory(product=cream, due_at=now), StockAlertFactory(product=balm, due_at=now)],
        "notified": [StockAlertFactory(product=balm, due_at=now - timedelta(days=1), notified_at=now)],
    }

    response = admin_client.get(reverse("admin:shop_stockalert_changelist"), {"state": state})

    listed = list(response.context["cl"].result_list)
    assert [(a.product.title, a.pk) for a in listed] == sorted((a.product.title, a.pk) for a in alerts[state])
    assert {response.context["cl"].model_admin.state(a) for a in listed} == {state}


def test_stock_alerts_are_found_by_product_and_cannot_be_changed(admin_client):
    alert = StockAlertFactory(product=ProductFactory(title="Night balm", stock=0))
    StockAlertFactory(product=ProductFactory(title="Day cream", stock=0))

    listed = admin_client.get(reverse("admin:shop_stockalert_changelist"), {"q": "balm"})
    page = admin_client.get(reverse("admin:shop_stockalert_change", args=[alert.pk]))
    posted = admin_client.post(reverse("admin:shop_stockalert_change", args=[alert.pk]), {"due_at_0": "2020-01-01"})

    assert [a.pk for a in listed.context["cl"].result_list] == [alert.pk]
    assert page.context["has_change_permission"] is False
    assert posted.status_code == 403
    alert.refresh_from_db()
    assert alert.due_at is None
