"""An email's open pixel and click redirect: recorded on the message and as events, consent honoured."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from profiles.events.models import EventBacklog
from profiles.messages import tokens
from profiles.messages.models import Message, MessageKind
from profiles.messages.services import message_create
from profiles.messages.views import PIXEL_GIF
from tests.factories import CartLineFactory, ContentItemFactory, ProductFactory, ShopperFactory
from tests.profiles.messages.conftest import recorded_events

pytestmark = pytest.mark.django_db


def message_about(product, *, shopper=None, kind=MessageKind.PRICE_DROP, cart=None) -> Message:
    message, _ = message_create(
        shopper=shopper or ShopperFactory(),
        kind=kind,
        subject="s",
        body="b",
        dedupe_key=f"test:{kind}:{product.pk}",
        product=product,
        cart=cart,
    )
    return message


def tracked(message) -> str:
    return tokens.tracking_token(message.pk)


def state(message) -> tuple[bool, bool]:
    message.refresh_from_db()
    return (message.opened_at is not None, message.clicked_at is not None)


def test_the_open_pixel_records_the_open_once_and_a_message_open_event_on_the_products_item():
    product = ProductFactory()
    item = ContentItemFactory(products=[product])
    message = message_about(product)
    client = Client()

    first = client.get(f"/m/{tracked(message)}/o.gif")
    opened_at = Message.objects.get().opened_at
    again = client.get(f"/m/{tracked(message)}/o.gif")

    assert (first.status_code, first["Content-Type"], first.content) == (200, "image/gif", PIXEL_GIF)
    assert "no-cache" in first["Cache-Control"]
    assert again.content == PIXEL_GIF
    assert Message.objects.get().opened_at == opened_at  # the first open stays
    assert recorded_events() == [("message_open", item.pk, product.pk)]


def test_the_click_records_the_click_and_the_open_and_goes_to_the_product_page():
    product = ProductFactory()
    item = ContentItemFactory(products=[product])
    message = message_about(product)

    response = Client().get(f"/m/{tracked(message)}/c")

    assert (response.status_code, response["Location"]) == (302, f"/p/{product.pk}")
    assert state(message) == (True, True)
    assert recorded_events() == [("message_click", item.pk, product.pk)]


def test_a_cart_reminders_link_goes_to_the_cart():
    line = CartLineFactory()
    message = message_about(line.product, shopper=line.cart.shopper, kind=MessageKind.ABANDONED_CART, cart=line.cart)

    response = Client().get(f"/m/{tracked(message)}/c")

    assert (response.status_code, response["Location"]) == (302, "/cart")


@pytest.mark.parametrize("query", ["?next=https://evil.example/", "?url=//evil.example", "?to=/admin/"])
def test_the_click_never_goes_where_the_request_says(query):
    product = ProductFactory()
    message = message_about(product)

    response = Client().get(f"/m/{tracked(message)}/c{query}")

    assert response["Location"] == f"/p/{product.pk}"


@pytest.mark.parametrize("suffix", ["o.gif", "c"])
@pytest.mark.parametrize(
    "token_of",
    [
        pytest.param(lambda m: tokens.tracking_token(m.pk)[:-2] + "xx", id="signature changed"),
        pytest.param(lambda m: f"{m.pk + 1}:" + tokens.tracking_token(m.pk).split(":")[1], id="another message's id"),
        pytest.param(
            lambda m: tokens.unsubscribe_token(shopper_id=m.shopper_id, kind="all"), id="an unsubscribe token"
        ),
        pytest.param(lambda m: tokens.tracking_token(m.pk + 100), id="no such message"),
    ],
)
def test_a_bad_token_is_a_404_and_records_nothing(token_of, suffix):
    product = ProductFactory()
    ContentItemFactory(products=[product])
    message = message_about(product)

    response = Client().get(f"/m/{token_of(message)}/{suffix}")

    assert response.status_code == 404
    assert state(message) == (False, False)
    assert EventBacklog.objects.count() == 0
    assert recorded_events() == []


def test_a_shopper_who_refused_personalization_gets_the_open_on_the_message_but_no_event():
    product = ProductFactory()
    ContentItemFactory(products=[product])
    message = message_about(product, shopper=ShopperFactory(personalization=False))

    Client().get(f"/m/{tracked(message)}/o.gif")
    response = Client().get(f"/m/{tracked(message)}/c")

    assert response["Location"] == f"/p/{product.pk}"
    assert state(message) == (True, True)
    assert EventBacklog.objects.count() == 0
    assert recorded_events() == []


def test_a_product_no_published_post_shows_is_tracked_on_the_message_without_an_event():
    product = ProductFactory()
    message = message_about(product)

    Client().get(f"/m/{tracked(message)}/c")

    assert state(message) == (True, True)
    assert recorded_events() == []


def test_a_client_cannot_send_the_servers_message_events():
    item = ContentItemFactory()
    client = Client()
    event = {"event_id": "client-made-open-1", "type": "message_open", "item": item.pk, "ts": time.time()}

    response = client.post(
        "/api/v1/events", {"events": [event]}, content_type="application/json", HTTP_USER_AGENT="Mozilla/5.0"
    )

    assert response.json()["rejected"][0]["reason"] == "invalid_type"
    assert EventBacklog.objects.count() == 0
