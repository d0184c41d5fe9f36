"""The Content-Security-Policy in a browser: every page of the site, used, with nothing blocked.

Each page of ``new_page`` fails its test on a violation (``tests/web/conftest.py``, ``CSP_WATCH``);
these tests walk the pages the other browser tests may not, and check the policy is the strict one.
"""

import pytest

from profiles.models import Shopper
from tests.factories import UserFactory
from tests.web.conftest import open_feed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRICT = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'")


def assert_strict(response) -> None:
    policy = response.headers["content-security-policy"]
    assert all(directive in policy for directive in STRICT), policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_the_shoppers_pages_run_under_the_strict_policy_with_nothing_blocked(new_page, shop):
    world = shop(3)
    page = new_page("phone")
    with page.expect_response(lambda r: r.url.endswith("/welcome?next=/")) as first:
        open_feed(page)
    assert_strict(first.value)
    page.locator(f"article.card[data-id='{world.items[0].pk}'] [data-action='add']").click()
    page.wait_for_selector("[data-cart-count]:has-text('1')")
    page.locator("[data-cart-open]").click()
    page.wait_for_selector("#cart-drawer [data-cart-subtotal]")

    for path in (f"/c/{world.items[1].pk}", f"/p/{world.products[0].pk}", "/cart", "/privacy", "/signup"):
        response = page.goto(path)
        assert response.status == 200, path
        assert_strict(response)
        page.wait_for_load_state("networkidle")

    response = page.goto("/signin")
    user = UserFactory()
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("article.card[data-id]")
    assert page.errors == []


def test_the_admin_runs_under_the_same_policy(new_page, shop):
    world = shop(2)
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    page = new_page("desktop")

    response = page.goto("/admin/login/")
    assert_strict(response)
    page.fill("#id_username", "boss")
    page.fill("#id_password", "correct horse battery")
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    item = world.items[0]
    for path in (
        "/admin/",
        "/admin/content/contentitem/",
        f"/admin/content/contentitem/{item.pk}/change/",
        "/admin/profiles/shopper/",
        "/admin/axes/accessattempt/",
        f"/admin/ranking/rankermodel/preview/?shopper={Shopper.objects.create().pk}",
        "/admin/moderation/creatorstanding/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert page.errors == []


def test_a_locked_out_sign_in_page_is_the_sites_own(new_page, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = UserFactory()
    page = new_page("phone")
    page.goto("/signin")
    for _ in range(3):
        page.fill("#id_username", user.username)
        page.fill("#id_password", "wrong guess")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        if "Sign-in paused" in page.content():
            break
        page.goto("/signin")

    assert page.get_by_role("heading", name="Sign-in paused").is_visible()
    assert page.errors == []
