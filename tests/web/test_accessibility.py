"""axe-core on the shopper's pages, at phone and desktop size: no serious or critical violation."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.web.axe import blocking
from tests.web.conftest import card_ids, open_feed, screenshot

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
