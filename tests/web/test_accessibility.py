"""axe-core on the shopper's pages, at phone and desktop size: no serious or critical violation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import Creator
from tests.factories import (
    CartLineFactory,
    ContentItemFactory,
    CreatorFactory,
    OrderFactory,
    OrderLineFactory,
    ShopperFactory,
    UserFactory,
)
from tests.web.axe import blocking
from tests.web.conftest import card_ids, open_feed, screenshot, sign_in
from tests.web.test_product_page import add_from_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_shoppers_pages_have_no_serious_accessibility_violations(new_page, shop, size):
    world = shop(3)
    page = new_page(size)
    page.goto("/")
    page.wait_for_url("**/welcome?next=/")
    found = {"welcome": blocking(page)}
    open_feed(page, consent=None)
    found["feed with the consent sheet"] = blocking(page)
    first = card_ids(page)[0]
    page.locator(f"article.card[data-id='{first}'] [data-action='menu']").click()
    found["card menu"] = blocking(page)
    page.keyboard.press("Escape")
    page.locator(f"article.card[data-id='{first}'] [data-action='comment']").click()
    page.locator("#sheet-comments").wait_for()
    found["comments sheet"] = blocking(page)
    for name, path in [
        ("product", f"/p/{world.products[0].pk}"),
        ("shared card", f"/c/{world.items[0].pk}"),
        ("cart", "/cart"),
        ("sign in", "/signin"),
        ("sign up", "/signup"),
        ("privacy", "/privacy"),
        ("creator page", f"/@{world.items[0].creator.handle}"),
        ("search results", "/search?q=serum"),
        ("not found", "/no-such-page"),
    ]:
        page.goto(path)
        found[name] = blocking(page)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            found[name].append({"id": "wider than the screen", "sizes": width})
    page.goto("/signin?next=/orders")
    page.fill("#id_username", UserFactory().username)
    page.fill("#id_password", "correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/orders")
    for name, path in [("orders", "/orders"), ("liked posts", "/liked"), ("following", "/following")]:
        page.goto(path)
        found[name] = blocking(page)
    screenshot(page, "following-empty")

    assert {name: violations for name, violations in found.items() if violations} == {}


def _check(page, found, name):
    """axe-core's blocking violations of ``page`` as it is now, and whether it is wider than the screen."""
    found[name] = blocking(page)
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if sizes[0] > sizes[1]:
        found[name].append({"id": "wider than the screen", "sizes": sizes})


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_sheets_checkout_orders_and_studio_have_no_serious_accessibility_violations(new_page, shop, size):
    world = shop(3)
    shopper = ShopperFactory(user=UserFactory())
    CartLineFactory(cart__shopper=shopper, product=world.products[1], content=world.items[1])
    order = OrderFactory(shopper=shopper)
    OrderLineFactory(order=order, product=world.products[2], title=world.products[2].title)
    creator = CreatorFactory(status=Creator.Status.APPROVED)
    post = ContentItemFactory(
        creator=creator,
        caption="My glow routine",
        media=world.items[1].media,
        published_at=timezone.now() - timedelta(days=30),
    )
    found: dict[str, list] = {}

    page = new_page(size)
    open_feed(page, consent="refused")
    first = card_ids(page)[0]
    assert first in world.item_ids()  # a card showing a product (the creator's post has none)
    page.locator(f"article.card[data-id='{first}'] [data-action='menu']").click()
    page.get_by_role("menuitem", name="Report…").click()
    page.locator("#sheet-report").wait_for()
    _check(page, found, "report sheet")
    page.keyboard.press("Escape")
    page.locator("#sheet-report").wait_for(state="hidden")
    add_from_card(page, first)
    with page.expect_response("**/api/v1/cart"):
        page.locator("[data-cart-open]").first.click()
    page.locator("#cart-drawer .cart-line").first.wait_for()
    _check(page, found, "cart drawer")
    screenshot(page, f"a11y-cart-drawer-{size}")
    page.keyboard.press("Escape")
    page.goto("/search?q=serum")
    _check(page, found, "search results")

    page = new_page(size)
    sign_in(page, shopper.user, next_path="/checkout", consent="refused")
    _check(page, found, "checkout")
    screenshot(page, f"a11y-checkout-{size}")
    page.goto(f"/orders/{order.number}")
    _check(page, found, "order")
    screenshot(page, f"a11y-order-{size}")

    page = new_page(size)
    sign_in(page, creator.user, next_path="/studio/", consent="refused")
    for name, path in [
        ("studio", "/studio/"),
        ("studio upload form", "/studio/new"),
        ("studio post", f"/studio/posts/{post.pk}/edit"),
        ("studio profile", "/studio/profile"),
    ]:
        page.goto(path)
        _check(page, found, name)
        screenshot(page, f"a11y-{name.replace(' ', '-')}-{size}")
        # Every tab of the studio's menu shows (none scrolled off the side of a phone).
        widths = page.eval_on_selector(
            ".studio-nav", "nav => [nav.scrollWidth, nav.clientWidth, [...nav.children].map(a => a.offsetWidth)]"
        )
        assert widths[0] <= widths[1], (name, widths)

    assert {name: violations for name, violations in found.items() if violations} == {}
