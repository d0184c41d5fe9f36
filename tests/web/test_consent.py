"""The consent choice in a browser: a bottom sheet the page makes room for, never over an action."""

from __future__ import annotations

import pytest

from tests.web.conftest import card_ids, open_feed, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ABOVE = """([selector, sheet]) => {
    const box = document.querySelector(selector).getBoundingClientRect();
    return box.height > 0 && box.bottom <= document.querySelector(sheet).getBoundingClientRect().top + 0.5;
}"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_undecided_consent_sheet_covers_no_card_action_and_the_feed_grows_back_once_answered(new_page, shop, size):
    shop(3)
    page = new_page(size)
    open_feed(page, consent=None)
    first = card_ids(page)[0]
    card = f"article.card[data-id='{first}']"
    assert page.locator("#consent").is_visible()

    for part in ("[data-action='add']", ".caption", "[data-action='menu']"):
        assert page.evaluate(ABOVE, [f"{card} {part}", "#consent"]), part
    screenshot(page, "consent-sheet")
    with page.expect_response("**/api/v1/cart/lines"):
        page.locator(f"{card} [data-action='add']").click()  # not intercepted by the sheet
    assert page.locator("[data-cart-count]").first.inner_text() == "1"
    covered = page.evaluate("() => document.getElementById('feed').getBoundingClientRect().height")

    page.locator('[data-consent="granted"]').click()
    page.wait_for_selector("#consent", state="hidden")

    page.wait_for_function("h => document.getElementById('feed').getBoundingClientRect().height > h", arg=covered)


def test_the_product_pages_add_to_cart_is_above_the_undecided_consent_sheet(phone_page, shop):
    world = shop(1)
    open_feed(phone_page, consent=None)

    phone_page.goto(f"/p/{world.products[0].pk}")
    phone_page.locator("[data-add-form] button").scroll_into_view_if_needed()

    assert phone_page.evaluate(ABOVE, ["[data-add-form] button", "#consent"])
    phone_page.locator("[data-add-form] button").click()  # not intercepted by the sheet
    phone_page.wait_for_function("() => document.querySelector('[data-cart-count]').textContent === '1'")
    screenshot(phone_page, "product-with-consent-sheet")
