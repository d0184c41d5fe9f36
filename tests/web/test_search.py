"""Search in a browser: suggestions as the shopper types in the header, the results page, intent."""

import pytest

from profiles.events import state
from tests.factories import BrandFactory
from tests.web.conftest import deliver_events, open_feed, screenshot, shopper_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_type_see_suggestions_pick_one_with_the_keyboard(new_page, shop, size):
    world = shop(3)
    brand = BrandFactory(name="Glowra")
    world.products[1].brand = brand
    world.products[1].save()
    page = new_page(size)
    open_feed(page)
    # The consent toast passes first (toasts sit in the top layer, above any suggestion).
    page.wait_for_function("() => !document.querySelector('#toasts .toast')", timeout=15_000)
    box = page.get_by_role("combobox", name="Search products, posts, creators and tags")

    box.fill("glow serum 1")
    listbox = page.get_by_role("listbox", name="Suggestions")
    listbox.wait_for()
    options = listbox.get_by_role("option")
    assert box.get_attribute("aria-expanded") == "true"
    assert options.first.text_content() == "product Glow serum 1"
    screenshot(page, f"search-suggestions-{size}")
    box.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    box.press("Enter")

    page.wait_for_url(f"**/p/{world.products[1].pk}")
    deliver_events(page)
    assert state.shopper_intent(shopper_of(page).pk)[f"brand:{brand.pk}"] == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_submitting_opens_the_results_page_with_every_type(new_page, shop, size):
    world = shop(3)
    brand = BrandFactory(name="Glowra")
    world.products[0].brand = brand
    world.products[0].save()
    page = new_page(size)
    open_feed(page)

    page.get_by_role("combobox").fill("glow")
    page.get_by_role("combobox").press("Enter")

    page.wait_for_url("**/search?q=glow")
    results = page.locator("[data-search-results] > li")
    types = results.locator(".search-result__type").all_inner_texts()
    assert page.get_by_role("heading", name="Results for “glow”").is_visible()
    assert {"Product", "Post"} <= {t.strip().title() for t in types}
    assert page.get_by_role("button", name=f"Add to cart: {world.products[0].title}").is_visible()
    screenshot(page, f"search-results-{size}")
    page.get_by_role("link", name=world.items[0].caption[:20], exact=False).first.click()
    page.wait_for_url(f"**/c/{world.items[0].pk}")


def test_the_results_page_works_without_javascript(browser, live_server, shop):
    shop(3)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()

    response = page.goto("/search?q=serum")

    assert response.status == 200, page.content()
    assert page.locator("[data-search-results] > li").count() == 3
    assert page.get_by_role("button", name="Add to cart: Glow serum 0").is_visible()
    context.close()
