"""The product page and the cart drawer in a browser: related products, back-in-stock sign-up,
variant names in full and toasts that cover none of the drawer's lines."""

import pytest

from profiles.shop.models import StockAlert
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory, UserFactory
from tests.web.conftest import open_feed, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VARIANT = "Hydrating glow serum with hyaluronic acid, niacinamide and vitamin C — {} ml bottle"

# What of the drawer (its heading, lines, steppers, stock warning) a toast's box overlaps.
TOAST_FREE = "#cart-title, #cart-drawer .cart-line, #cart-drawer .stepper, #cart-drawer [data-cart-warning]"
COVERED = """([toasts, targets]) => {
    const boxes = (selector) => [...document.querySelectorAll(selector)].map(el => [el, el.getBoundingClientRect()]);
    const overlap = (r, s) => r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
    return boxes(toasts).flatMap(([toast, r]) => boxes(targets).filter(([, s]) => overlap(r, s))
        .map(([el]) => [toast.textContent, el.className || el.id]));
}"""


def answer_consent(page):
    page.locator('[data-consent="refused"]').click()
    page.wait_for_selector("#consent", state="hidden")


def add_from_card(page, item_id):
    with page.expect_response("**/api/v1/cart/lines"):
        page.locator(f"article.card[data-id='{item_id}'] [data-action='add']").click()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_cart_drawer_names_variants_in_full_and_its_toasts_cover_none_of_it(new_page, shop, size):
    world = shop(2)
    small, large = world.products
    for product, ml in ((small, 30), (large, 50)):
        product.title = VARIANT.format(ml)
        product.save()
    page = new_page(size)
    open_feed(page)
    add_from_card(page, world.items[0].pk)
    add_from_card(page, world.items[1].pk)
    page.wait_for_selector("#toasts .toast")
    # sold out meanwhile: the drawer will refuse to check out, with a toast
    small.stock = 0
    small.save()

    with page.expect_response("**/api/v1/cart"):
        page.locator("[data-cart-open]").first.click()
    drawer = page.locator("#cart-drawer")
    titles = drawer.locator(".cart-line__title")
    drawer.get_by_role("link", name="Check out").click(force=True)  # aria-disabled: it explains why, in a toast

    assert titles.all_inner_texts() == [VARIANT.format(30), VARIANT.format(50)]
    clipped = titles.evaluate_all("els => els.map(el => el.scrollWidth > el.clientWidth)")
    assert clipped == [False, False]
    toasts = drawer.locator("[data-toast-slot] .toast").all_inner_texts()
    assert toasts[-2:] == [f"Added {VARIANT.format(50)}\nView cart", "Change the quantities marked in red first."]
    assert page.locator("#toasts .toast").count() == 0  # none left floating over the drawer
    covered = page.evaluate(COVERED, ["#cart-drawer [data-toast-slot] .toast", TOAST_FREE])
    assert covered == []
    screenshot(page, "cart-drawer-variants-and-toasts")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_signed_in_shopper_signs_up_for_a_sold_out_product_and_cancels(new_page, shop, size):
    world = shop(3)
    sold_out, similar, bought = world.products
    for product in world.products:
        product.category_path = "Beauty > Skin"
        product.save()
    sold_out.stock = 0
    sold_out.save()
    order = OrderFactory()
    OrderLineFactory(order=order, product=sold_out)
    OrderLineFactory(order=order, product=bought)
    user = UserFactory()
    page = new_page(size)
    page.goto("/signin")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.goto(f"/p/{sold_out.pk}")
    if page.locator("#consent").is_visible():
        answer_consent(page)

    assert page.get_by_role("heading", name="Similar").is_visible()
    assert page.locator('[data-related="similar"] .related__title').all_inner_texts() == [similar.title]
    assert page.locator('[data-related="also-bought"] .related__title').all_inner_texts() == [bought.title]
    page.wait_for_selector("#toasts .toast", state="detached")  # the consent's toast, for a clear picture
    page.locator('[data-related="also-bought"]').scroll_into_view_if_needed()
    screenshot(page, "product-page-related")
    page.locator("#product-title").scroll_into_view_if_needed()
    with page.expect_response(f"**/api/v1/products/{sold_out.pk}/stock-alert"):
        page.get_by_role("button", name="Tell me when it's back").click()
    assert page.get_by_text("We'll tell you when it's back.").is_visible()
    assert list(StockAlert.objects.values_list("shopper__user", "product", "due_at")) == [(user.pk, sold_out.pk, None)]
    screenshot(page, "product-page-stock-alert")
    with page.expect_response(f"**/api/v1/products/{sold_out.pk}/stock-alert"):
        page.get_by_role("button", name="Cancel").click()

    assert page.get_by_role("button", name="Tell me when it's back").is_visible()
    assert page.get_by_text("We'll tell you when it's back.").is_hidden()
    assert not StockAlert.objects.exists()


def test_a_visitor_is_asked_to_sign_in_for_a_back_in_stock_alert(phone_page):
    product = ProductFactory(stock=0)

    phone_page.goto(f"/p/{product.pk}")
    phone_page.get_by_role("link", name="Sign in").last.click()

    phone_page.wait_for_url(f"**/signin?next=/p/{product.pk}")
    assert not StockAlert.objects.exists()
