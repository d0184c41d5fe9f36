"""Back-in-stock alerts: ``/api/v1/products/<id>/stock-alert`` and a restock marking them due."""

from datetime import UTC, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from content.models import Product
from content.services import product_upsert
from profiles.models import Shopper
from profiles.privacy import erasure, export
from profiles.shop.models import StockAlert
from tests.factories import ProductFactory, ShopperFactory, StockAlertFactory

pytestmark = pytest.mark.django_db


def browser(shopper=None):
    """A browser with a CSRF token, signed in as ``shopper``'s user when given."""
    client = Client(enforce_csrf_checks=True)
    if shopper is not None:
        client.force_login(shopper.user)
    client.get("/cart")
    client.csrf = client.cookies["csrftoken"].value
    return client


def send(client, method, product_id):
    return getattr(client, method)(
        f"/api/v1/products/{product_id}/stock-alert", content_type="application/json", HTTP_X_CSRFTOKEN=client.csrf
    )


def alerts():
    return list(StockAlert.objects.values_list("shopper_id", "product_id", "due_at"))


def test_a_signed_in_shopper_signs_up_for_a_sold_out_product_once():
    shopper, product = ShopperFactory(), ProductFactory(stock=0)
    client = browser(shopper)

    first = send(client, "post", product.pk)
    again = send(client, "post", product.pk)

    assert (first.status_code, first.json()) == (201, {"product": product.pk, "alert": True})
    assert (again.status_code, again.json()) == (201, {"product": product.pk, "alert": True})
    assert alerts() == [(shopper.pk, product.pk, None)]


def test_cancelling_removes_the_alert_and_cancelling_again_is_harmless():
    alert = StockAlertFactory()
    other = StockAlertFactory(product=alert.product)
    client = browser(alert.shopper)

    first = send(client, "delete", alert.product_id)
    again = send(client, "delete", alert.product_id)

    assert first.json() == again.json() == {"product": alert.product_id, "alert": False}
    assert alerts() == [(other.shopper_id, other.product_id, None)]


def test_signing_up_again_after_a_restock_starts_a_fresh_alert():
    alert = StockAlertFactory(due_at=timezone.now() - timedelta(days=2))

    send(browser(alert.shopper), "post", alert.product_id)

    assert alerts() == [(alert.shopper_id, alert.product_id, None)]
    assert StockAlert.objects.get().pk != alert.pk


@pytest.mark.parametrize(
    ("product_fields", "status", "code"),
    [
        ({"stock": 4}, 400, "in_stock"),
        ({"stock": 0, "active": False}, 404, "not_found"),
    ],
)
def test_an_alert_for_a_product_in_stock_or_not_on_sale_is_refused(product_fields, status, code):
    shopper = ShopperFactory()
    product = ProductFactory(**product_fields)
    StockAlertFactory(shopper=shopper)  # another product's alert stays as it was
    before = alerts()

    response = send(browser(shopper), "post", product.pk)

    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert alerts() == before


def test_a_visitor_is_asked_to_sign_in_and_nothing_is_stored():
    product = ProductFactory(stock=0)
    shoppers = Shopper.objects.count()

    response = send(browser(), "post", product.pk)

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "sign_in_required",
        "message": "Sign in to be told when this product is back.",
        "extra": {},
    }
    assert alerts() == []
    assert Shopper.objects.count() == shoppers  # no visitor row made for a refused sign-up


@pytest.mark.parametrize("method", ["post", "delete"])
def test_an_unknown_product_is_a_404_and_changes_nothing(method):
    alert = StockAlertFactory()

    response = send(browser(alert.shopper), method, 987654)

    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    assert alerts() == [(alert.shopper_id, alert.product_id, None)]


def test_without_the_csrf_token_nothing_is_stored():
    shopper, product = ShopperFactory(), ProductFactory(stock=0)
    client = browser(shopper)

    response = client.post(f"/api/v1/products/{product.pk}/stock-alert")

    assert response.status_code == 403
    assert alerts() == []


def restock(product: Product, stock: int, *, active: bool = True) -> None:
    product_upsert(
        external_id=product.external_id, title=product.title, price=product.price, stock=stock, active=active
    )


def test_a_restock_marks_the_pending_alerts_of_that_product_due(django_capture_on_commit_callbacks):
    product = ProductFactory(stock=0)
    waiting = StockAlertFactory.create_batch(2, product=product)
    elsewhere = StockAlertFactory()
    earlier = timezone.now() - timedelta(days=3)
    sent = StockAlertFactory(product=product, due_at=earlier, notified_at=earlier)

    with django_capture_on_commit_callbacks(execute=True):
        restock(product, 5)

    due = dict(StockAlert.objects.values_list("pk", "due_at"))
    assert all(due[alert.pk] is not None and due[alert.pk] > earlier for alert in waiting)
    assert due[elsewhere.pk] is None
    assert due[sent.pk] == earlier  # already told: not marked again
    assert StockAlert.objects.get(pk=sent.pk).notified_at == earlier


@pytest.mark.parametrize(
    ("stock_before", "stock_after", "active_after"),
    [
        (3, 8, True),  # was in stock already: no news
        (0, 0, True),  # still sold out
        (0, 5, False),  # stock arrived but the product is withdrawn
    ],
)
def test_a_change_that_is_not_a_restock_leaves_the_alerts_pending(
    django_capture_on_commit_callbacks, stock_before, stock_after, active_after
):
    product = ProductFactory(stock=stock_before)
    alert = StockAlertFactory(product=product)

    with django_capture_on_commit_callbacks(execute=True):
        restock(product, stock_after, active=active_after)

    assert StockAlert.objects.get(pk=alert.pk).due_at is None


def test_a_shoppers_alerts_are_in_their_export_and_go_with_their_erasure(django_capture_on_commit_callbacks):
    alert = StockAlertFactory()
    bystander = StockAlertFactory(product=alert.product)

    exported = export.shopper_export(shopper=alert.shopper)
    with django_capture_on_commit_callbacks(execute=True):
        report = erasure.shopper_erase(shopper=alert.shopper, requested_by="admin:root")

    assert exported["stock_alerts"] == [
        {"product": alert.product_id, "at": alert.created_at.astimezone(UTC).isoformat(), "due_at": None}
    ]
    assert report.stores["stock_alerts"] == 1
    assert list(StockAlert.objects.values_list("pk", flat=True)) == [bystander.pk]
