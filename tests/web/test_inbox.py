"""The inbox in a browser at phone and desktop size: the list, a message opened and its link,
unsubscribe; axe-core."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from profiles.messages import tokens
from profiles.messages.models import Message, MessageKind
from profiles.messages.services import message_create
from tests.factories import ContentItemFactory, ProductFactory, ShopperFactory, UserFactory
from tests.web.axe import blocking
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_inbox_lists_opens_and_follows_a_message(new_page, size):
    user = UserFactory()
    shopper = ShopperFactory(user=user, consent_updated_at=timezone.now())
    product = ProductFactory(title="Glow serum 30 ml", price=Decimal("24.00"))
    ContentItemFactory(products=[product])
    for kind, subject, body in [
        (MessageKind.BACK_IN_STOCK, "Back in stock: Glow serum 30 ml", "Glow serum 30 ml is back in stock at €24.00."),
        (
            MessageKind.PRICE_DROP,
            "Price drop: Glow serum 30 ml is now €24.00",
            "Glow serum 30 ml went down from €30.00 to €24.00.",
        ),
    ]:
        message_create(shopper=shopper, kind=kind, subject=subject, body=body, dedupe_key=subject, product=product)
    page = new_page(size)
    page.goto("/signin?next=/inbox")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/inbox")

    found = {"inbox": blocking(page)}
    rows = page.locator(".message-list li")
    assert rows.count() == 2
    assert " ".join(rows.first.inner_text().split()).startswith("Unread: Price drop: Glow")  # newest first
    assert page.get_by_role("link", name="Inbox, 2 unread").is_visible()
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]
    screenshot(page, "inbox")

    rows.first.locator("a").click()
    page.wait_for_url("**/inbox/*")
    found["message"] = blocking(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Price drop: Glow serum 30 ml is now €24.00"
    panel = page.locator("article.panel").bounding_box()
    for name in ("See Glow serum 30 ml", "All messages"):  # both buttons within the panel, none cut off
        box = page.get_by_role("link", name=name).bounding_box()
        assert panel["x"] <= box["x"] <= box["x"] + box["width"] <= panel["x"] + panel["width"]
    screenshot(page, "inbox-message")
    page.get_by_role("link", name="See Glow serum 30 ml").click()
    page.wait_for_url(f"**/p/{product.pk}")

    page.goto("/inbox")
    assert page.get_by_role("link", name="Inbox, 1 unread").is_visible()
    clicked = Message.objects.get(kind=MessageKind.PRICE_DROP)
    assert (clicked.read_at is not None, clicked.opened_at is not None, clicked.clicked_at is not None) == (
        True,
        True,
        True,
    )

    page.goto("/privacy#emails")
    found["privacy with email choices"] = blocking(page)
    assert page.get_by_role("checkbox", name="Price drops (in your cart, or in posts you liked)").is_checked()

    page.goto(f"/messages/unsubscribe/{tokens.unsubscribe_token(shopper_id=shopper.pk, kind='price_drop')}")
    found["unsubscribe"] = blocking(page)
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You are unsubscribed").wait_for()
    found["unsubscribed"] = blocking(page)
    screenshot(page, "unsubscribed")
    page.goto("/privacy#emails")
    assert not page.get_by_role("checkbox", name="Price drops (in your cart, or in posts you liked)").is_checked()
    page.locator("#emails").scroll_into_view_if_needed()
    screenshot(page, "privacy-emails")

    assert {name: violations for name, violations in found.items() if violations} == {}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_empty_inbox(new_page, size):
    page = new_page(size)
    page.goto("/inbox")

    assert page.get_by_text("No messages yet.").is_visible()
    assert blocking(page) == []
    screenshot(page, "inbox-empty")
