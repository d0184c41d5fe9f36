"""One-click unsubscribe (signed token, RFC 8058 POST) and the email choices on the privacy page."""

from __future__ import annotations

import pytest
from django.test import Client

from profiles.messages import tokens
from profiles.messages.models import MessagePreference
from tests.factories import ShopperFactory

pytestmark = pytest.mark.django_db

ALL_ON = (True, True, True)


def choices(shopper) -> tuple[bool, bool, bool]:
    """(abandoned cart, back in stock, price drop) by email; no row is all on."""
    row = MessagePreference.objects.filter(shopper=shopper).first()
    if row is None:
        return ALL_ON
    return (row.email_abandoned_cart, row.email_back_in_stock, row.email_price_drop)


def url(shopper, kind: str) -> str:
    return f"/messages/unsubscribe/{tokens.unsubscribe_token(shopper_id=shopper.pk, kind=kind)}"


def test_opening_the_link_asks_first_and_changes_nothing():
    shopper = ShopperFactory()

    response = Client().get(url(shopper, "price_drop"))

    assert response.status_code == 200
    assert b"Stop price drop emails from feedsite?" in response.content
    assert b'<button type="submit" class="button">Unsubscribe</button>' in response.content
    assert choices(shopper) == ALL_ON


@pytest.mark.parametrize(
    ("kind", "what", "after"),
    [
        ("price_drop", "price drop emails", (True, True, False)),
        ("back_in_stock", "back in stock emails", (True, False, True)),
        ("abandoned_cart", "cart reminder emails", (False, True, True)),
        ("all", "emails of any kind", (False, False, False)),
    ],
)
def test_the_button_unsubscribes_without_signing_in(kind, what, after):
    shopper, other = ShopperFactory(), ShopperFactory()

    response = Client(enforce_csrf_checks=True).post(url(shopper, kind))

    assert response.status_code == 200
    assert f'data-unsubscribed="{kind}"'.encode() in response.content
    assert f"You will get no more {what} from us.".encode() in response.content
    assert choices(shopper) == after
    assert choices(other) == ALL_ON


def test_a_mail_clients_one_click_post_unsubscribes_rfc_8058():
    shopper = ShopperFactory()

    response = Client(enforce_csrf_checks=True).post(
        url(shopper, "back_in_stock"), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert (response.status_code, response.content) == (200, b"Unsubscribed.")
    assert choices(shopper) == (True, False, True)


def test_unsubscribing_twice_is_harmless():
    shopper = ShopperFactory()
    client = Client()

    client.post(url(shopper, "price_drop"))
    response = client.post(url(shopper, "price_drop"))

    assert response.status_code == 200
    assert choices(shopper) == (True, True, False)
    assert MessagePreference.objects.count() == 1


@pytest.mark.parametrize(
    "token_of",
    [
        pytest.param(lambda s: url(s, "price_drop")[:-3] + "abc", id="signature changed"),
        pytest.param(
            lambda s: url(s, "price_drop").replace(
                tokens.unsubscribe_token(shopper_id=s.pk, kind="price_drop").split(":")[0],
                tokens.unsubscribe_token(shopper_id=s.pk + 1, kind="price_drop").split(":")[0],
            ),
            id="another shopper's id under this signature",
        ),
        pytest.param(lambda s: "/messages/unsubscribe/" + tokens.tracking_token(s.pk), id="a tracking token"),
        pytest.param(lambda s: "/messages/unsubscribe/nonsense", id="not a token"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_is_refused_and_changes_nothing(token_of, method):
    shopper = ShopperFactory()
    neighbour = ShopperFactory()

    response = getattr(Client(), method)(token_of(shopper))

    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert (choices(shopper), choices(neighbour)) == (ALL_ON, ALL_ON)


def test_a_token_of_an_erased_shopper_is_refused():
    shopper = ShopperFactory()
    link = url(shopper, "all")
    shopper.delete()

    response = Client().post(link)

    assert response.status_code == 400
    assert MessagePreference.objects.count() == 0


def test_the_privacy_page_shows_and_saves_the_email_choices():
    shopper = ShopperFactory()
    client = Client()
    client.force_login(shopper.user)

    page = client.get("/privacy")
    saved = client.post("/messages/preferences", {"email_back_in_stock": "on"})
    again = client.get("/privacy")

    assert page.content.count(b" checked>") == 3
    assert (saved.status_code, saved["Location"]) == (302, "/privacy#emails")
    assert choices(shopper) == (False, True, False)
    assert again.content.count(b" checked>") == 1
    assert b'name="email_back_in_stock" checked' in again.content


def test_a_visitor_cannot_save_email_choices():
    client = Client()

    response = client.post("/messages/preferences", {"email_price_drop": "on"})

    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/signin")
    assert MessagePreference.objects.count() == 0
