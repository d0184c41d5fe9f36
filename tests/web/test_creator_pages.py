"""Creator pages and the Following page in a browser: follow and unfollow in place, at phone and desktop size."""

import pytest

from profiles.account.views import ORDERS_PER_PAGE
from profiles.models import Follow
from tests.factories import (
    ContentItemFactory,
    CreatorFactory,
    FollowFactory,
    OrderFactory,
    ShopperFactory,
    UserFactory,
)
from tests.web.axe import blocking
from tests.web.conftest import DESKTOP, PHONE, open_feed, screenshot, shopper_of
from tests.web.test_social import sign_in

# The toasts fade within a few seconds; a screenshot waits for them to show the page itself.
NO_TOASTS = "() => !document.querySelector('#toasts .toast')"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_visitor_follows_a_creator_from_their_page(new_page, shop, size):
    creator = shop(4).items[0].creator
    page = new_page(size)
    page.goto(f"/@{creator.handle}")
    page.locator('[data-consent="granted"]').click()
    follow = page.get_by_role("button", name=f"Follow @{creator.handle}")
    page.evaluate("() => { window.notReloaded = true; }")

    follow.click()

    page.wait_for_selector('.follow-toggle[aria-pressed="true"]:not([disabled])')
    # With JavaScript the form is not posted: the page stays, only the button and count change.
    assert page.evaluate("() => window.notReloaded") is True
    assert page.url.endswith(f"/@{creator.handle}")
    assert page.locator(".creator-head__followers").text_content() == "1 follower"
    assert list(Follow.objects.filter(shopper=shopper_of(page)).values_list("creator_id", flat=True)) == [creator.pk]
    # The grid opens each post in the feed player.
    assert page.locator(".post-grid a").first.get_attribute("href").startswith("/c/")
    page.wait_for_function(NO_TOASTS)
    screenshot(page, f"creator-page-{size}")
    page.reload()
    assert page.get_by_role("button", name=f"Unfollow @{creator.handle}").text_content() == "Following"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_unfollow_from_the_following_page_happens_in_place(new_page, size):
    user = UserFactory()
    shopper = ShopperFactory(user=user)
    ada, bob = CreatorFactory(handle="ada-glow"), CreatorFactory(handle="bob-skin")
    ContentItemFactory(creator=ada)
    FollowFactory(shopper=shopper, creator=ada)
    FollowFactory(shopper=shopper, creator=bob)
    page = new_page(size)
    sign_in(page, user, next_path="/following")
    page.evaluate("() => { window.notReloaded = true; }")

    page.get_by_role("button", name="Unfollow @ada-glow").click()

    page.wait_for_selector('[data-handle="ada-glow"][aria-pressed="false"]:not([disabled])')
    assert page.evaluate("() => window.notReloaded") is True
    assert list(Follow.objects.filter(shopper=shopper).values_list("creator__handle", flat=True)) == ["bob-skin"]
    assert page.get_by_role("button", name="Follow @ada-glow").text_content() == "Follow"
    page.wait_for_function(NO_TOASTS)
    screenshot(page, f"following-page-{size}")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_without_javascript_follow_posts_the_form_and_comes_back(browser, live_server, shop, size):
    creator = shop(3).items[0].creator
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=PHONE if size == "phone" else DESKTOP
    )
    page = context.new_page()
    page.goto(f"/@{creator.handle}")

    page.get_by_role("button", name=f"Follow @{creator.handle}").click()

    page.wait_for_url(f"**/@{creator.handle}")
    assert page.get_by_role("button", name=f"Unfollow @{creator.handle}").text_content() == "Following"
    assert page.locator(".creator-head__followers").text_content() == "1 follower"
    assert Follow.objects.get().creator_id == creator.pk
    # The message says so, then leaves by itself (nothing else would dismiss it).
    message = page.locator("#toasts .toast", has_text=f"Following @{creator.handle}")
    assert message.is_visible()
    message.wait_for(state="hidden", timeout=8_000)
    screenshot(page, f"creator-page-no-js-{size}")
    page.get_by_role("button", name=f"Unfollow @{creator.handle}").click()
    page.wait_for_selector(f'button[aria-label="Follow @{creator.handle}"]')
    assert Follow.objects.count() == 0
    context.close()


def test_a_handle_on_a_card_opens_the_creators_page(phone_page, shop):
    shop(3)
    open_feed(phone_page)
    card = phone_page.locator("article.card[data-id]").first
    handle = card.locator(".creator-row__link").text_content()

    card.locator(".creator-row__link").click()

    phone_page.wait_for_url(f"**/{handle}")
    assert phone_page.locator("#creator-title").is_visible()


def test_the_account_menu_leads_to_the_account_pages(new_page):
    user = UserFactory()
    ShopperFactory(user=user)
    page = new_page("desktop")
    sign_in(page, user, next_path="/liked")
    page.locator(".menu summary").click()

    page.locator(".menu__panel").get_by_role("link", name="Orders").click()

    page.wait_for_url("**/orders")
    assert page.locator(".empty").text_content().strip().startswith("No orders yet.")
    page.wait_for_function(NO_TOASTS)
    screenshot(page, "orders-empty-desktop")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_orders_list_pages_on_with_more_and_back_with_newer(new_page, size):
    user = UserFactory()
    shopper = ShopperFactory(user=user)
    orders = [OrderFactory(shopper=shopper) for _ in range(ORDERS_PER_PAGE + 1)]
    page = new_page(size)
    sign_in(page, user, next_path="/orders")
    links = page.locator(".order-row__link")
    assert links.count() == ORDERS_PER_PAGE

    page.get_by_role("link", name="More").click()

    page.wait_for_url("**/orders?page=2")
    assert links.count() == 1
    assert links.first.get_attribute("href") == f"/orders/{orders[0].number}"  # the oldest
    assert blocking(page) == []
    screenshot(page, f"orders-page-2-{size}")
    page.get_by_role("link", name="Newer").click()
    page.wait_for_url("**/orders?page=1")
    assert links.count() == ORDERS_PER_PAGE
