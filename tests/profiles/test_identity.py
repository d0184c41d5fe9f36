"""Identity: sign-in and sign-out rotate the visitor id, a merged visitor id names nobody, and a
visitor's shopper is created by their first write, never by a read."""

import json

import pytest
from django.conf import settings
from django.test import Client

from feedsite import realtime
from profiles.events import state
from profiles.middleware import visitor_id_sign
from profiles.models import ConsentRecord, Interest, Like, Shopper
from profiles.shop.models import CartLine
from ranking.models import FeedRequest
from tests.factories import ContentItemFactory, ProductFactory, TagFactory, UserFactory
from tests.profiles.conftest import visitor_id_of
from tests.profiles.events.conftest import BROWSER_UA, make_event

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
JSON = "application/json"


def browser() -> Client:
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.get("/welcome")  # the first page: a visitor cookie, and nothing stored
    return client


def holder_of(visitor_id) -> Client:
    """Someone else holding a visitor id (a copied cookie), or an API client sending it."""
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.cookies[settings.VISITOR_COOKIE] = visitor_id_sign(visitor_id)
    return client


def account_state(account: Shopper):
    account.refresh_from_db()
    recent = [(item, kind) for item, kind, _ in state.shopper_recent(account.pk)]
    return (
        account.personalization,
        ConsentRecord.objects.filter(shopper=account).count(),
        sorted(CartLine.objects.filter(cart__shopper=account).values_list("product_id", "quantity")),
        sorted(Like.objects.filter(shopper=account).values_list("content_id", flat=True)),
        recent,
    )


@pytest.fixture
def signed_in():
    """A browser that liked an item and filled its cart as a visitor, then signed in."""
    item, product = ContentItemFactory(), ProductFactory(stock=9)
    user = UserFactory()
    client = browser()
    assert client.put(f"/api/v1/items/{item.pk}/like").status_code == 200
    assert client.post("/api/v1/cart/lines", {"product": product.pk}, content_type=JSON).status_code == 201
    as_visitor = visitor_id_of(client)

    response = client.post("/signin", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    account = Shopper.objects.get(user=user)
    assert account_state(account)[2:4] == ([(product.pk, 1)], [item.pk])  # the visitor's things moved
    return client, account, as_visitor, item


def test_sign_in_gives_the_browser_a_new_visitor_id(signed_in):
    client, account, as_visitor, _ = signed_in

    assert visitor_id_of(client) != as_visitor
    assert Shopper.objects.get(visitor_id=as_visitor).merged_into == account
    assert not Shopper.objects.filter(visitor_id=visitor_id_of(client)).exists()  # nothing written as it yet


def test_sign_out_ends_every_identity_the_browser_carries(signed_in):
    client, account, as_visitor, item = signed_in
    while_signed_in = visitor_id_of(client)
    before = account_state(account)

    response = client.post("/signout")

    cart = client.get("/api/v1/cart").json()
    page = client.get("/api/v1/feed").json()
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert cart["lines"] == []
    assert [card["liked"] for card in page["cards"] if card["id"] == item.pk] == [False]
    assert account_state(account) == before
    assert visitor_id_of(client) not in (as_visitor, while_signed_in)


def test_a_merged_visitor_id_is_no_credential_of_the_account(signed_in):
    _, account, as_visitor, item = signed_in
    before = account_state(account)
    holder = holder_of(as_visitor)

    cart = holder.get("/api/v1/cart")
    consent = holder.post("/api/v1/me/consent", {"personalization": False}, content_type=JSON)
    events = holder.post("/api/v1/events", {"events": [make_event(item.pk, "hide")]}, content_type=JSON)
    # An API client sending the id as a header, with no cookie, is no different.
    by_header = Client(HTTP_X_VISITOR_ID=visitor_id_sign(as_visitor)).get("/api/v1/cart")

    assert cart.json()["lines"] == by_header.json()["lines"] == []
    assert (consent.status_code, events.status_code) == (200, 200)
    assert account_state(account) == before
    # The holder was made a new visitor, with a new id: what it wrote is that visitor's.
    assert visitor_id_of(holder) != as_visitor
    assert Shopper.objects.get(visitor_id=visitor_id_of(holder)).personalization is False


def test_signing_in_with_an_old_visitor_id_moves_nothing_again(signed_in):
    _, account, as_visitor, _ = signed_in
    other = UserFactory()

    holder_of(as_visitor).post("/signin", {"username": other.username, "password": PASSWORD})

    assert Shopper.objects.get(visitor_id=as_visitor).merged_into == account
    assert not Like.objects.filter(shopper__user=other).exists()


@pytest.fixture
def shop():
    item = ContentItemFactory()
    product = ProductFactory(stock=9)
    item.products.add(product)
    return item, product


@pytest.mark.parametrize(
    "path",
    ["/", "/welcome", "/cart", "/privacy", "/api/v1/feed", "/api/v1/cart", "/api/v1/me/export", "item", "product"],
)
def test_reads_create_no_shopper(shop, path):
    item, product = shop
    path = {"item": f"/c/{item.pk}", "product": f"/p/{product.pk}"}.get(path, path)

    responses = [Client().get(path) for _ in range(3)]  # cookie-less, each a new browser

    assert {response.status_code for response in responses} <= {200, 302}
    assert Shopper.objects.count() == 0


def test_a_feed_page_for_a_visitor_not_stored_yet_is_served_and_logged(shop):
    client = browser()

    first = client.get("/api/v1/feed", {"limit": 1}).json()
    second = client.get("/api/v1/feed", {"limit": 1, "cursor": first["next_cursor"]}).json()

    assert [card["id"] for card in first["cards"]] == [shop[0].pk]
    assert second["cards"] == []  # the feed session remembers what it served
    assert list(FeedRequest.objects.values_list("shopper_id", flat=True)) == [None, None]
    assert Shopper.objects.count() == 0


WRITES = {
    "event": lambda c, item, product, tag: c.post(
        "/api/v1/events", {"events": [make_event(item.pk)]}, content_type=JSON
    ),
    "like": lambda c, item, product, tag: c.put(f"/api/v1/items/{item.pk}/like"),
    "follow": lambda c, item, product, tag: c.put(f"/api/v1/creators/{item.creator_id}/follow"),
    "cart": lambda c, item, product, tag: c.post("/api/v1/cart/lines", {"product": product.pk}, content_type=JSON),
    "consent": lambda c, item, product, tag: c.post("/api/v1/me/consent", {"personalization": True}, content_type=JSON),
    "onboarding": lambda c, item, product, tag: c.post("/welcome", {"tags": [tag.pk]}),
    "privacy page": lambda c, item, product, tag: c.post("/privacy", {"personalization": "off"}),
}


@pytest.mark.parametrize("write", WRITES)
def test_the_first_write_creates_the_visitors_shopper_once(shop, write):
    item, product = shop
    tag = TagFactory(kind="category")
    client = browser()

    for _ in range(2):
        response = WRITES[write](client, item, product, tag)
        assert response.status_code in (200, 201, 302), response.content

    shopper = Shopper.objects.get()
    assert (shopper.visitor_id, shopper.user_id) == (visitor_id_of(client), None)
    assert shopper.last_seen_at is not None


def test_an_erasure_by_a_visitor_never_stored_erases_and_creates_nothing(shop):
    client = browser()

    response = client.post("/api/v1/me/erase", {"confirm": "erase"}, content_type=JSON)

    assert response.status_code == 200
    assert json.loads(response.content)["stores"] == {}
    assert Shopper.objects.count() == 0
    assert not Interest.objects.exists()
    assert realtime.client().dbsize() == 0
