"""Toasts never cover what they refer to, nor an action: at phone and desktop size, after an Add on
the product page (with the consent sheet open or answered) and in the feed, and after a Follow."""

import pytest

from tests.web.conftest import card_ids, open_feed, screenshot
from tests.web.test_product_page import add_from_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What of the page a toast's box overlaps: every visible control (outside the toasts) and the
# elements named by ``extra`` (what the toast refers to), as [toast text, element] pairs.
COVERS = """(extra) => {
    const controls = "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])";
    const visible = (el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth
            && getComputedStyle(el).visibility !== "hidden" && !el.closest("#toasts, [hidden], dialog:not([open])");
    };
    const targets = [...document.querySelectorAll(`${controls}, ${extra}`)].filter(visible);
    const overlap = (r, s) => r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
    return [...document.querySelectorAll("#toasts .toast")].flatMap((toast) => {
        const r = toast.getBoundingClientRect();
        return targets.filter((el) => overlap(r, el.getBoundingClientRect()))
            .map((el) => [toast.textContent, el.outerHTML.slice(0, 80)]);
    });
}"""


def toast_shown(page, text):
    page.locator("#toasts .toast", has_text=text).wait_for()
    # Measured once it has slid in (the entry animation moves it by a few pixels).
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("consent", ["refused", None])
def test_the_add_toast_on_the_product_page_covers_neither_the_title_nor_an_action(new_page, shop, size, consent):
    world = shop(2)
    page = new_page(size)
    open_feed(page, consent=consent)
    page.goto(f"/p/{world.products[0].pk}")

    with page.expect_response("**/api/v1/cart/lines"):
        page.get_by_role("button", name="Add to cart").click()
    toast_shown(page, f"Added {world.products[0].title}")

    screenshot(page, f"toast-product-page-{'consent-' if consent is None else ''}{size}")
    assert page.evaluate(COVERS, "#product-title, .product__price, #consent") == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_add_toast_in_the_feed_covers_neither_the_card_nor_an_action(new_page, shop, size):
    world = shop(3)
    page = new_page(size)
    open_feed(page, consent="granted")
    page.wait_for_function("() => !document.querySelector('#toasts .toast')", timeout=15_000)
    first = card_ids(page)[0]

    add_from_card(page, first)
    toast_shown(page, f"Added {world.products[0].title}")

    screenshot(page, f"toast-feed-add-{size}")
    assert page.evaluate(COVERS, f"article.card[data-id='{first}'] .card__info, .product-chip") == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_follow_toast_on_a_creator_page_covers_neither_the_button_nor_an_action(new_page, shop, size):
    creator = shop(2).items[0].creator
    page = new_page(size)
    page.goto(f"/@{creator.handle}")
    page.locator('[data-consent="refused"]').click()
    toast_shown(page, "Got it")  # two toasts at once on a phone: the newer replaces the older

    page.get_by_role("button", name=f"Follow @{creator.handle}").click()
    toast_shown(page, f"Following @{creator.handle}")

    screenshot(page, f"toast-creator-follow-{size}")
    assert page.evaluate(COVERS, ".follow-toggle, .creator-head__followers") == []
    assert page.locator("#toasts .toast").count() == (1 if size == "phone" else 2)
