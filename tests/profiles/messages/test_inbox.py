"""The inbox: empty state, newest first, paged, a message read; only the shopper's own; the header count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from profiles.messages import tokens
from profiles.messages.models import Message, MessageKind
from profiles.messages.selectors import INBOX_PAGE_SIZE
from profiles.messages.services import message_create, messages_merge
from profiles.models import Shopper
from tests.factories import ProductFactory, ShopperFactory
from tests.profiles.conftest import visitor_of

pytestmark = pytest.mark.django_db


def write(shopper, n: int, *, product=None) -> list[Message]:
    """``n`` messages to ``shopper``, the last the newest."""
    made = []
    for i in range(n):
        message, _ = message_create(
            shopper=shopper,
            kind=MessageKind.PRICE_DROP,
            subject=f"Message {i}",
            body=f"Body {i}",
            dedupe_key=f"test:{shopper.pk}:{i}",
            product=product or ProductFactory(),
        )
        Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=n - i))
        made.append(message)
    return made


def signed_in(shopper) -> Client:
    client = Client()
    client.force_login(shopper.user)
    return client


def subjects(response) -> list[str]:
    return re.findall(
        r"<strong>(?:<span[^>]*>[^<]*</span><span[^>]*></span>)?(Message \d+)</strong>", response.content.decode()
    )


def test_an_empty_inbox_says_so():
    response = signed_in(ShopperFactory()).get("/inbox")

    assert response.status_code == 200
    assert b"No messages yet." in response.content


def test_a_visitor_without_a_shopper_row_sees_the_empty_inbox_and_none_is_made():
    before = Shopper.objects.count()
    response = Client().get("/inbox")

    assert b"No messages yet." in response.content
    assert Shopper.objects.count() == before


def test_the_inbox_lists_the_shoppers_messages_newest_first_paged():
    shopper = ShopperFactory()
    write(shopper, INBOX_PAGE_SIZE + 2)
    write(ShopperFactory(), 1)  # somebody else's
    client = signed_in(shopper)

    first = client.get("/inbox")
    second = client.get("/inbox?page=2")

    newest = INBOX_PAGE_SIZE + 1
    assert subjects(first) == [f"Message {i}" for i in range(newest, 1, -1)]
    assert subjects(second) == ["Message 1", "Message 0"]
    assert b"Page 1 of 2" in first.content
    assert b'rel="next"' in first.content
    assert b'rel="prev"' in second.content


def test_opening_a_message_shows_it_marks_it_read_and_opened_and_links_through_the_tracker():
    shopper = ShopperFactory()
    (message,) = write(shopper, 1)
    client = signed_in(shopper)

    response = client.get(f"/inbox/{message.pk}")

    message.refresh_from_db()
    assert response.status_code == 200
    assert b"Body 0" in response.content
    assert f'href="/m/{tokens.tracking_token(message.pk)}/c"'.encode() in response.content
    assert (message.read_at is not None, message.opened_at is not None) == (True, True)
    assert b"Unread: " not in client.get("/inbox").content


def test_anybody_elses_message_is_a_404_and_stays_unread():
    (message,) = write(ShopperFactory(), 1)

    response = signed_in(ShopperFactory()).get(f"/inbox/{message.pk}")
    anonymous = Client().get(f"/inbox/{message.pk}")

    assert (response.status_code, anonymous.status_code) == (404, 404)
    message.refresh_from_db()
    assert (message.read_at, message.opened_at) == (None, None)


def test_the_header_shows_the_unread_count():
    shopper = ShopperFactory()
    first, _ = write(shopper, 2)
    client = signed_in(shopper)

    before = client.get("/orders").content.decode()
    client.get(f"/inbox/{first.pk}")
    after = client.get("/orders").content.decode()

    assert 'aria-label="Inbox, 2 unread"' in before
    assert "data-inbox-unread>2<" in before
    assert 'aria-label="Inbox, 1 unread"' in after


def test_signing_in_moves_a_visitors_messages_to_the_account():
    visitor, account = ShopperFactory(user=None), ShopperFactory()
    write(visitor, 2)

    messages_merge(None, source=visitor, target=account)

    assert set(Message.objects.values_list("shopper_id", flat=True)) == {account.pk}


def test_a_visitor_sees_the_header_envelope_only_with_something_unread():
    client = Client()
    nothing = client.get("/cart").content.decode()
    client.post("/api/v1/me/consent", {"personalization": True}, content_type="application/json")
    write(visitor_of(client), 1)
    unread = client.get("/cart").content.decode()

    assert 'href="/inbox"' not in nothing
    assert 'aria-label="Inbox, 1 unread"' in unread
