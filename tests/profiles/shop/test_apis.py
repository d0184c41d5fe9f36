"""The JSON endpoints behind the feed's buttons: likes, follows, cart, consent."""

import pytest
from django.test import Client

from profiles.models import ConsentRecord, Follow, Like, Shopper
from profiles.shop.models import CartLine
from tests.factories import ContentItemFactory, CreatorFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    """A visitor's browser as the feed page leaves it: the visitor cookie and a CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.get("/cart")
    client.csrf = client.cookies["csrftoken"].value
    return client


def send(client, method, url, body=None, *, csrf=True):
    headers = {"HTTP_X_CSRFTOKEN": client.csrf} if csrf else {}
    return getattr(client, method)(url, body, content_type="application/json", **headers)


def test_like_and_unlike_answer_the_new_count(browser):
    item = ContentItemFactory()
    Like.objects.create(shopper=Shopper.objects.create(), content=item)

    liked = send(browser, "put", f"/api/v1/items/{item.pk}/like")
    unliked = send(browser, "delete", f"/api/v1/items/{item.pk}/like")

    assert liked.json() == {"item": item.pk, "liked": True, "likes": 2}
    assert unliked.json() == {"item": item.pk, "liked": False, "likes": 1}


def test_a_visitors_like_without_the_csrf_token_is_refused(browser):
    item = ContentItemFactory()

    response = send(browser, "put", f"/api/v1/items/{item.pk}/like", csrf=False)

    assert response.status_code == 403
    assert Like.objects.count() == 0


def test_liking_an_unknown_post_is_a_404(browser):
    response = send(browser, "put", "/api/v1/items/987654/like")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_follow_and_unfollow(browser):
    creator = CreatorFactory()

    followed = send(browser, "put", f"/api/v1/creators/{creator.pk}/follow")
    kept = list(Follow.objects.values_list("creator_id", flat=True))
    unfollowed = send(browser, "delete", f"/api/v1/creators/{creator.pk}/follow")

    assert followed.json() == {"creator": creator.pk, "following": True}
    assert kept == [creator.pk]
    assert unfollowed.json() == {"creator": creator.pk, "following": False}
    assert Follow.objects.count() == 0


def test_cart_add_change_and_remove_answer_the_whole_cart(browser):
    product = ProductFactory(title="Glow serum", stock=3)
    item = ContentItemFactory(products=[product])

    added = send(browser, "post", "/api/v1/cart/lines", {"product": product.pk, "item": item.pk, "position": 2})
    changed = send(browser, "patch", f"/api/v1/cart/lines/{product.pk}", {"quantity": 3})
    removed = send(browser, "delete", f"/api/v1/cart/lines/{product.pk}")

    assert added.status_code == 201
    assert added.json()["lines"] == [
        {
            "product": {
                "id": product.pk,
                "title": "Glow serum",
                "price": "19.90",
                "currency": "EUR",
                "in_stock": True,
                "stock": 3,
                "url": f"/p/{product.pk}",
            },
            "quantity": 1,
            "line_total": "19.90",
            "available": True,
            "thumbnail": "",
            "item": item.pk,
        }
    ]
    assert (changed.json()["count"], changed.json()["subtotal"]) == (3, "59.70")
    assert removed.json() == {"count": 0, "subtotal": "0.00", "currency": "EUR", "can_check_out": False, "lines": []}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"product": "x"}, 400, "invalid"),
        ({"product": 1, "event_id": "bad id!"}, 400, "invalid"),
        ({"product": 987654}, 404, "not_found"),
    ],
)
def test_a_bad_cart_request_is_refused_with_a_reason(browser, body, status, code):
    response = send(browser, "post", "/api/v1/cart/lines", body)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert CartLine.objects.count() == 0


def test_adding_what_is_out_of_stock_says_so(browser):
    product = ProductFactory(title="Clay mask", stock=0)

    response = send(browser, "post", "/api/v1/cart/lines", {"product": product.pk})

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "out_of_stock",
        "message": "Clay mask is out of stock.",
        "extra": {"product": product.pk},
    }
    assert CartLine.objects.count() == 0


@pytest.mark.parametrize("choice", [True, False])
def test_the_banners_choice_is_recorded(browser, choice):
    response = send(browser, "post", "/api/v1/me/consent", {"personalization": choice})

    shopper = Shopper.objects.get()
    assert response.json() == {"personalization": choice}
    assert shopper.personalization is choice
    assert list(ConsentRecord.objects.values_list("personalization", "source")) == [(choice, "banner")]
