"""The feed with the keyboard alone, at phone and desktop size: Tab reaches a card's Like, "⋯" menu
and Add (the rail, then the card's text and products), each shows where the focus is, and Enter /
Space work them."""

import pytest

from profiles.models import Like
from profiles.shop.models import CartLine
from tests.web.conftest import card_ids, open_feed, screenshot, shopper_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The focused element: its data-action (or tag) and whether its focus ring is drawn.
FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {
        action: el.dataset?.action || el.tagName.toLowerCase(),
        card: Number(el.closest("article.card")?.dataset.id || 0),
        ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none",
        visible: r.width > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
    };
}"""


def tab_to(page, card_id, action, *, limit=40):
    """Press Tab until the focus is on ``action`` of card ``card_id``; what the focus met on the way."""
    met = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        met.append(focused)
        if focused["card"] == card_id and focused["action"] == action:
            return met
    raise AssertionError(f"Tab never reached {action} of card {card_id}: {met}")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_tab_reaches_like_the_menu_and_add_with_a_visible_focus_and_keys_work_them(new_page, shop, size):
    world = shop(3)
    page = new_page(size)
    open_feed(page, consent="granted")
    page.wait_for_function("() => !document.querySelector('#toasts .toast')", timeout=15_000)
    first = card_ids(page)[0]
    card = page.locator(f"article.card[data-id='{first}']")
    page.locator("body").focus()

    met = tab_to(page, first, "like")
    assert [f for f in met if f["card"] == first and not (f["ring"] and f["visible"])] == []
    like = card.locator("[data-action='like']")
    for key, pressed in (("Enter", "true"), (" ", "false"), ("Enter", "true")):
        with page.expect_response(f"**/api/v1/items/{first}/like"):
            page.keyboard.press(key)
        assert like.get_attribute("aria-pressed") == pressed

    met = tab_to(page, first, "menu")
    assert [f for f in met if not (f["ring"] and f["visible"])] == [], [(f["action"], f["card"]) for f in met]
    page.keyboard.press(" ")
    page.get_by_role("menuitem").first.wait_for()
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "menuitem"
    page.keyboard.press("Escape")
    assert page.evaluate(FOCUSED)["action"] == "menu"

    met = tab_to(page, first, "add")
    assert [f for f in met if not (f["ring"] and f["visible"])] == [], [(f["action"], f["card"]) for f in met]
    screenshot(page, f"keyboard-add-focused-{size}")
    with page.expect_response("**/api/v1/cart/lines"):
        page.keyboard.press("Enter")

    shopper = shopper_of(page)
    assert list(Like.objects.filter(shopper=shopper).values_list("content_id", flat=True)) == [first]
    shown = next(item for item in world.items if item.pk == first).products.get()
    assert list(CartLine.objects.filter(cart__shopper=shopper).values_list("product_id", flat=True)) == [shown.pk]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_playing_video_pauses_and_plays_again_from_the_keyboard(new_page, shop, size):
    world = shop(3)  # the newest, first, is the video
    page = new_page(size)
    open_feed(page, consent="granted")
    video_id = world.items[0].pk
    assert card_ids(page)[0] == video_id
    paused = f"() => document.querySelector(\"article.card[data-id='{video_id}'] video\").paused"
    page.wait_for_function(f"() => !({paused})()")
    page.locator("body").focus()

    met = tab_to(page, video_id, "pause")
    assert (met[-1]["ring"], met[-1]["visible"]) == (True, True)
    screenshot(page, f"keyboard-pause-focused-{size}")
    page.keyboard.press("Enter")

    page.wait_for_function(paused)
    assert page.evaluate(FOCUSED)["action"] == "play"  # the focus stays on the card's picture
    page.keyboard.press(" ")
    page.wait_for_function(f"() => !({paused})()")
    page.wait_for_function("() => document.activeElement.dataset.action === 'pause'")
