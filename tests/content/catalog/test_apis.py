"""The catalog-sync API: who may call it, one product by SKU, the bulk call and its per-row results."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from content.models import Product
from tests.content.catalog.conftest import merchant_of, row
from tests.factories import BrandFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(Product.objects.values_list("external_id", "brand__slug", "title", "price", "stock", "active"))


def test_put_creates_the_product_for_the_merchants_brand_then_get_answers_it(merchant):
    created = merchant.client.put(
        "/api/v1/catalog/products/GLOW-1",
        row(category_path="Beauty > Skin > Serum", compare_at_price="29.90", promotion_label="-17 %"),
        format="json",
    )
    read = merchant.client.get("/api/v1/catalog/products/GLOW-1")

    assert created.status_code == 201
    assert created.json()["status"] == "created"
    body = read.json()
    body.pop("updated_at")
    assert body == {
        "sku": "GLOW-1",
        "brand": "glow",
        "title": "Glow serum",
        "category_path": "Beauty > Skin > Serum",
        "price": "24.90",
        "currency": "EUR",
        "stock": 12,
        "active": True,
        "in_stock": True,
        "compare_at_price": "29.90",
        "promotion_label": "-17 %",
        "promotion_ends_at": None,
    }
    assert created.json()["product"] | {"updated_at": None} == body | {"updated_at": None}


def test_put_replaces_every_field_and_the_same_payload_again_is_unchanged(merchant):
    merchant.client.put("/api/v1/catalog/products/GLOW-1", row(promotion_label="Sale"), format="json")
    changed = merchant.client.put("/api/v1/catalog/products/GLOW-1", row(price="19.9", stock=3), format="json")
    stamp = Product.objects.get().updated_at

    again = merchant.client.put("/api/v1/catalog/products/GLOW-1", row(price="19.90", stock=3), format="json")

    assert (changed.status_code, changed.json()["status"]) == (200, "updated")
    assert (again.status_code, again.json()["status"]) == (200, "unchanged")
    product = Product.objects.get()
    # Left-out optional fields take their defaults: the label is gone.
    assert (product.price, product.stock, product.promotion_label) == (Decimal("19.90"), 3, "")
    assert product.updated_at == stamp


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/catalog/products/GLOW-1", None),
        ("put", "/api/v1/catalog/products/GLOW-1", row()),
        ("post", "/api/v1/catalog/products:bulk", {"products": [row("GLOW-1")]}),
    ],
)
def test_without_a_token_the_api_answers_401_and_writes_nothing(method, url, body):
    ProductFactory(external_id="GLOW-1", brand=BrandFactory(slug="glow"))
    before = snapshot()

    response = getattr(APIClient(), method)(url, body, format="json")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"
    assert snapshot() == before


def test_a_signed_in_session_is_not_enough_even_for_a_merchant(merchant):
    browser = Client()
    browser.force_login(merchant.user)

    response = browser.put("/api/v1/catalog/products/GLOW-1", row(), content_type="application/json")

    assert response.status_code == 401
    assert Product.objects.count() == 0


@pytest.mark.parametrize("staff", [False, True], ids=["shopper", "staff"])
def test_a_token_of_an_account_that_is_no_merchant_is_refused(staff):
    user = UserFactory(is_staff=staff, is_superuser=staff)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    put = client.put("/api/v1/catalog/products/GLOW-1", row(), format="json")
    bulk = client.post("/api/v1/catalog/products:bulk", {"products": [row("GLOW-1")]}, format="json")

    assert (put.status_code, bulk.status_code) == (403, 403)
    assert put.json()["error"]["code"] == bulk.json()["error"]["code"] == "not_a_merchant"
    assert Product.objects.count() == 0


def test_another_brands_sku_can_be_neither_read_nor_written(merchant, rival):
    ProductFactory(external_id="RIVAL-1", brand=rival.brand, title="Rival cream", stock=4)
    ProductFactory(external_id="NOBODY-1", brand=None)
    before = snapshot()

    read = merchant.client.get("/api/v1/catalog/products/RIVAL-1")
    put = merchant.client.put("/api/v1/catalog/products/RIVAL-1", row(stock=0), format="json")
    put_unowned = merchant.client.put("/api/v1/catalog/products/NOBODY-1", row(), format="json")
    steal = merchant.client.put("/api/v1/catalog/products/GLOW-9", row(brand="rival"), format="json")

    assert (read.status_code, read.json()["error"]["code"]) == (404, "not_found")
    assert (put.status_code, put.json()["error"]["code"]) == (403, "not_your_product")
    assert (put_unowned.status_code, put_unowned.json()["error"]["code"]) == (403, "not_your_product")
    assert (steal.status_code, steal.json()["error"]["code"]) == (403, "not_your_brand")
    assert snapshot() == before


def test_a_merchant_of_several_brands_names_the_brand_of_a_new_product(merchant):
    other = BrandFactory(slug="glow-men")
    both = merchant_of(merchant.brand, other)

    unnamed = both.client.put("/api/v1/catalog/products/MEN-1", row(), format="json")
    named = both.client.put("/api/v1/catalog/products/MEN-1", row(brand="glow-men"), format="json")
    kept = both.client.put("/api/v1/catalog/products/MEN-1", row(stock=1), format="json")

    assert (unnamed.status_code, unnamed.json()["error"]["code"]) == (400, "brand_required")
    assert unnamed.json()["error"]["extra"] == {"brands": ["glow", "glow-men"]}
    assert (named.status_code, kept.json()["product"]["brand"]) == (201, "glow-men")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({**row(), "price": "-1"}, ["price"], id="negative-price"),
        pytest.param({**row(), "price": "1.999"}, ["price"], id="three-decimals"),
        pytest.param({**row(), "stock": -2}, ["stock"], id="negative-stock"),
        pytest.param({**row(), "stock": 2**31}, ["stock"], id="stock-too-large"),
        pytest.param({**row(), "currency": "EURO"}, ["currency"], id="currency"),
        pytest.param({**row(), "title": ""}, ["title"], id="blank-title"),
        pytest.param({"title": "Serum", "price": "1.00"}, ["currency", "stock"], id="missing"),
        pytest.param({**row(), "prise": "20.00"}, ["prise"], id="unknown-field"),
        pytest.param({**row(), "promotion_ends_at": "tomorrow"}, ["promotion_ends_at"], id="bad-time"),
    ],
)
def test_an_invalid_product_is_refused_with_its_fields_named(merchant, body, fields):
    response = merchant.client.put("/api/v1/catalog/products/GLOW-1", body, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert sorted(error["extra"]["fields"]) == fields
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    ("compare_at", "price"),
    [("24.90", "24.90"), ("20.00", "24.90"), ("30.00", None)],
    ids=["equal", "lower", "no-price"],
)
def test_a_compare_at_price_must_exceed_the_price(merchant, compare_at, price):
    response = merchant.client.put(
        "/api/v1/catalog/products/GLOW-1", row(price=price, compare_at_price=compare_at), format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_promotion"
    assert Product.objects.count() == 0


@pytest.mark.parametrize("sku", ["-lead", "a" * 101, "with space", "ünï"])
def test_a_malformed_sku_is_refused(merchant, sku):
    response = merchant.client.put(f"/api/v1/catalog/products/{sku}", row(), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_sku"
    assert Product.objects.count() == 0


def test_bulk_keeps_the_valid_rows_and_answers_a_result_per_row(merchant, rival):
    ProductFactory(external_id="GLOW-OLD", brand=merchant.brand, title="Glow serum", price=Decimal("24.90"), stock=12)
    ProductFactory(external_id="GLOW-UPD", brand=merchant.brand, title="Glow toner", price=Decimal("9.90"), stock=1)
    ProductFactory(external_id="RIVAL-1", brand=rival.brand)
    rows = [
        row("GLOW-NEW"),
        row("GLOW-OLD"),
        row("GLOW-UPD", title="Glow toner", price="8.90", stock=7),
        row("RIVAL-1"),
        {**row("GLOW-BAD"), "stock": -1},
        "not an object",
        row("GLOW-NEW", stock=1),
        row("bad sku"),
    ]

    response = merchant.client.post("/api/v1/catalog/products:bulk", {"products": rows}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("created", "updated", "unchanged", "rejected")} == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "rejected": 5,
    }
    results = body["results"]
    assert [(r["index"], r["sku"], r["status"]) for r in results] == [
        (0, "GLOW-NEW", "created"),
        (1, "GLOW-OLD", "unchanged"),
        (2, "GLOW-UPD", "updated"),
        (3, "RIVAL-1", "rejected"),
        (4, "GLOW-BAD", "rejected"),
        (5, None, "rejected"),
        (6, "GLOW-NEW", "rejected"),
        (7, "bad sku", "rejected"),
    ]
    errors = {r["index"]: r["error"] for r in results if r["status"] == "rejected"}
    assert {i: e["code"] for i, e in errors.items()} == {
        3: "not_your_product",
        4: "invalid",
        5: "invalid",
        6: "duplicate_sku",
        7: "invalid",
    }
    assert list(errors[4]["extra"]["fields"]) == ["stock"]
    assert list(errors[7]["extra"]["fields"]) == ["sku"]
    assert errors[6]["extra"] == {"first_index": 0}
    assert sorted(Product.objects.filter(brand=merchant.brand).values_list("external_id", "price", "stock")) == [
        ("GLOW-NEW", Decimal("24.90"), 12),
        ("GLOW-OLD", Decimal("24.90"), 12),
        ("GLOW-UPD", Decimal("8.90"), 7),
    ]


def test_the_same_bulk_call_twice_changes_nothing_the_second_time(merchant):
    rows = [row(f"GLOW-{n}", stock=n, promotion_ends_at="2027-01-31T23:00:00+01:00") for n in range(20)]
    first = merchant.client.post("/api/v1/catalog/products:bulk", {"products": rows}, format="json").json()
    stamps = dict(Product.objects.values_list("external_id", "updated_at"))

    second = merchant.client.post("/api/v1/catalog/products:bulk", {"products": rows}, format="json").json()

    assert (first["created"], second["unchanged"], second["created"] + second["updated"]) == (20, 20, 0)
    assert dict(Product.objects.values_list("external_id", "updated_at")) == stamps


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"products": [row(f"S-{n}") for n in range(501)]}, "too_many_rows"),
        ({"rows": []}, "invalid_batch"),
        ([row("S-1")], "invalid_batch"),
    ],
    ids=["501-rows", "no-products", "a-list"],
)
def test_a_bulk_call_that_is_not_a_batch_is_refused_whole(merchant, body, code):
    response = merchant.client.post("/api/v1/catalog/products:bulk", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert Product.objects.count() == 0


def test_bulk_rows_count_one_by_one_against_the_catalog_sync_rate(merchant, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "catalog_sync": "10/minute"},
    }
    first = merchant.client.post(
        "/api/v1/catalog/products:bulk", {"products": [row(f"S-{n}") for n in range(8)]}, format="json"
    )
    second = merchant.client.post(
        "/api/v1/catalog/products:bulk", {"products": [row(f"T-{n}") for n in range(3)]}, format="json"
    )

    assert (first.status_code, second.status_code) == (200, 429)
    assert Product.objects.count() == 8
