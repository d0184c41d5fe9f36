"""The creator dashboard in a browser: charts drawn by Chart.js from the tables' data, at phone and
desktop size, and the tables alone without the library or without JavaScript."""

import os
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from content.models import ContentItem
from profiles import services
from profiles.dashboard.views import chart_library_url
from profiles.events import writer
from profiles.events.creator_stats import creator_stats
from tests.factories import ContentItemFactory, CreatorFactory, ShopperFactory
from tests.profiles.events.conftest import stream_event
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _chart_library():
    if chart_library_url() is None:
        message = "Chart.js is not installed: `make vendor` (needs npm) copies it into static/vendor/."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def _creator_with_a_month():
    """A creator with 12 posts and four weeks of known events and follows."""
    creator = CreatorFactory(handle="glowlab", display_name="Glow Lab")
    statuses = [ContentItem.Status.PUBLISHED] * 10 + [ContentItem.Status.REJECTED, ContentItem.Status.PROCESSING]
    items = [
        ContentItemFactory(
            creator=creator,
            kind=ContentItem.Kind.VIDEO if n % 3 == 0 else ContentItem.Kind.IMAGE,
            duration_ms=8_000 if n % 3 == 0 else None,
            caption=f"Look {n}: my everyday glow routine #grwm",
            status=status,
            status_reason="The product link is not in our catalog." if status == ContentItem.Status.REJECTED else "",
        )
        for n, status in enumerate(statuses)
    ]
    shoppers = [ShopperFactory() for _ in range(12)]
    now = timezone.now()
    events = []
    for day in range(28):
        at = (now - timedelta(days=day, hours=1)).timestamp()
        for n, item in enumerate(items[:10]):
            reach = 3 + (day * 7 + n * 5) % 11
            events += [stream_event(shoppers[0].pk, item.pk, "impression", at) for _ in range(reach)]
            events += [stream_event(shoppers[1].pk, item.pk, "dwell", at, dwell_ms=7_500) for _ in range(reach // 2)]
            if (day + n) % 3 == 0:
                events += [
                    stream_event(shoppers[3].pk, item.pk, kind, at) for kind in ("like", "share", "product_click")
                ]
            if (day + n) % 4 == 0:
                events += [stream_event(shoppers[2].pk, item.pk, "add_to_cart", at, value=1.0)]
            if (day + n) % 9 == 0:
                events += [stream_event(shoppers[2].pk, item.pk, "purchase", at, value=1.0)]
    writer.interactions_write(events)
    for n, shopper in enumerate(shoppers):
        with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=25 - 2 * n)):
            services.follow_create(shopper=shopper, creator=creator)
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=3)):
        services.follow_delete(shopper=shoppers[0], creator=creator)
    return creator


def _sign_in(page, user, next_url):
    page.goto(f"/signin?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_url}")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_dashboard_draws_its_charts_from_the_tables_figures(new_page, size):
    creator = _creator_with_a_month()
    stats = creator_stats(creator=creator, days=30)
    page = new_page(size)

    _sign_in(page, creator.user, "/studio/dashboard")
    page.select_option("#days", "30")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/studio/dashboard?days=30")
    page.wait_for_selector('[data-chart="followers"][data-drawn] canvas', state="visible")

    drawn = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("[data-chart] canvas")].map((canvas) => {
            const chart = Chart.getChart(canvas);
            const data = chart.data.datasets.map((d) => [d.label, d.data]);
            return [canvas.closest("[data-chart]").dataset.chart, {data, width: canvas.width, height: canvas.height}];
        }))"""
    )
    series = stats.series
    assert drawn["activity"]["data"] == [
        ["Impressions", series.impressions],
        ["Views", series.views],
        ["Carts", series.carts],
        ["Purchases", series.purchases],
    ]
    assert drawn["followers"]["data"] == [
        ["Gained", series.followers_gained],
        ["Lost", [-n for n in series.followers_lost]],
        ["Followers", series.followers],
    ]
    assert series.followers[-1] == 11
    for chart in drawn.values():
        assert chart["height"] == 260
        assert chart["width"] > 300
    assert page.locator("dl.totals dd").first.inner_text() == str(stats.totals.impressions)
    rejected = page.locator("tr", has_text="Look 10")
    assert rejected.locator(".status").inner_text() == "Rejected"
    assert rejected.locator(".status__reason").inner_text() == "The product link is not in our catalog."
    # The wide table scrolls in its own region; the page itself does not scroll sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "creator-dashboard")
    for part in ("activity", "followers"):
        page.locator(f"[data-chart='{part}']").evaluate("figure => figure.scrollIntoView()")
        screenshot(page, f"creator-dashboard-{part}")
    page.locator("table.items").evaluate("table => table.scrollIntoView()")
    screenshot(page, "creator-dashboard-posts")


def test_without_the_chart_library_the_daily_table_opens_instead(new_page):
    creator = _creator_with_a_month()
    page = new_page("phone")
    page.route("**/vendor/chart.umd.min.js*", lambda route: route.abort())

    _sign_in(page, creator.user, "/studio/dashboard")

    page.wait_for_selector("details.daily[open]")
    assert page.locator("[data-chart]").evaluate_all("figures => figures.map(f => getComputedStyle(f).display)") == [
        "none",
        "none",
    ]
    today = timezone.now().date().isoformat()
    stats = creator_stats(creator=creator, days=30)
    first_row = page.locator(f"details.daily tbody tr:has(time[datetime='{today}']) td").all_inner_texts()
    assert first_row[:2] == [str(stats.series.impressions[-1]), str(stats.series.views[-1])]
    assert page.errors == []


def test_without_javascript_the_figures_are_tables(browser, live_server):
    creator = _creator_with_a_month()
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    try:
        page = context.new_page()
        _sign_in(page, creator.user, "/studio/dashboard")
        stats = creator_stats(creator=creator, days=30)
        assert page.locator("tfoot td").nth(1).inner_text() == str(stats.totals.impressions)
        assert page.locator("tbody tr[data-item]").count() == 12
        assert page.locator("[data-chart]").first.is_hidden()
        screenshot(page, "creator-dashboard-no-js")
    finally:
        context.close()
