"""The segments pages of the admin in a browser: a marketer reads the charts of both kinds and
recomputes; every chart is drawn (Chart.js, under the Content-Security-Policy)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import numpy as np
import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from content.models import Tag
from experiments.segments import tasks
from experiments.segments.models import SegmentRun
from profiles.shop.models import Order
from tests.factories import ContentItemFactory, InteractionFactory, OrderFactory, ShopperFactory, UserFactory
from tests.web.axe import blocking
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Whether a canvas has a pixel that is not transparent.
PAINTED = """(canvas) => canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data
    .some((value, n) => n % 4 === 3 && value > 0)"""
MARKETER = [("segments", "view_segment"), ("segments", "view_segmentrun"), ("segments", "recompute_segments")]


def _shop() -> None:
    """60 shoppers: three tastes (skincare, makeup, fashion), spread over recency, frequency and spend."""
    rng = np.random.default_rng(11)
    now = timezone.now()
    tags = [
        Tag.objects.create(slug=slug, name=name, kind=Tag.Kind.CATEGORY)
        for slug, name in [("skincare", "Skincare"), ("makeup", "Makeup"), ("fashion", "Fashion"), ("home", "Home")]
    ]
    items = [[ContentItemFactory(tags=[tag]) for _ in range(4)] for tag in tags]
    tastes = [[0.8, 0.15, 0.05, 0.0], [0.1, 0.8, 0.1, 0.0], [0.0, 0.05, 0.75, 0.2]]
    for s in range(60):
        shopper = ShopperFactory()
        last = float(rng.exponential(30))
        days = int(rng.integers(1, 12))
        for day in range(days):
            category = int(rng.choice(4, p=tastes[s % 3]))
            for _ in range(int(rng.integers(1, 4))):
                InteractionFactory(
                    shopper=shopper,
                    content=items[category][int(rng.integers(4))],
                    type=str(rng.choice(["view", "like", "product_click"])),
                    occurred_at=now - timedelta(days=last + 2 * day, minutes=int(rng.integers(600))),
                )
        if s % 3 != 2 and rng.random() < 0.7:
            order = OrderFactory(shopper=shopper, total=Decimal(str(round(float(rng.lognormal(3.5, 0.6)), 2))))
            Order.objects.filter(pk=order.pk).update(created_at=now - timedelta(days=last))


def _sign_in(page, username: str, next_url: str) -> None:
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery")
    with page.expect_navigation():
        page.locator("input[type=submit]").click()


def _marketer() -> str:
    user = UserFactory(username="marketer", is_staff=True)
    for app_label, codename in MARKETER:
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user.username


def _blocking(page) -> list[dict]:
    """axe's serious and critical findings on the page, less those on Django's own breadcrumbs
    (links told apart by colour only, on every admin page: not this page's to fix)."""
    return [v for v in blocking(page) if not all(node.startswith(".breadcrumbs") for node in v["nodes"])]


def _drawn(page, charts: list[str]) -> None:
    for name in charts:
        figure = page.locator(f'[data-chart="{name}"]')
        figure.and_(page.locator('[data-drawn="true"]')).wait_for()
        canvas = figure.locator("canvas")
        assert canvas.is_visible(), name
        box = canvas.bounding_box()
        assert box["width"] > 200, name
        assert box["height"] > 150, name
        # something was painted: not every pixel of the canvas is transparent
        assert page.evaluate(PAINTED, canvas.element_handle()), name


def test_a_marketer_reads_both_kinds_with_their_charts_and_recomputes(new_page):
    _shop()
    tasks.recompute()
    page = new_page("desktop")
    _sign_in(page, _marketer(), "/admin/segments/segment/")

    # The list: every segment with its size and figures, links to each kind's charts.
    assert page.locator("#result_list tbody tr").count() > 5
    page.get_by_role("link", name="RFM charts").click()

    page.wait_for_url("**/admin/segments/segment/kind/rfm/")
    _drawn(page, ["sizes", "recency", "frequency", "monetary"])
    rows = page.locator("#segments-list tbody tr")
    assert rows.count() == 9
    tests = page.locator("#segments-tests tbody tr")
    assert tests.count() == 4
    assert "Kruskal–Wallis H" in tests.nth(0).inner_text()
    assert _blocking(page) == []
    screenshot(page, "experiments-segments-rfm")
    # docs/screenshots/experiments-segments.png is this one, copied by hand when the page changes.
    page.set_viewport_size({"width": 1280, "height": 1600})
    screenshot(page, "experiments-segments")

    page.get_by_role("link", name="Behaviour charts").click()
    page.wait_for_url("**/admin/segments/segment/kind/behaviour/")
    _drawn(page, ["sizes", "silhouettes", "profiles"])
    names = page.locator("#segments-list tbody th").all_inner_texts()
    assert any(name.startswith("mostly ") for name in names), names
    assert "χ² test of independence" in page.locator("#segments-tests").inner_text()
    # three planted tastes: the silhouette finds them clearly apart
    assert page.locator("#segments-structure").inner_text().endswith("at k = 3): strong.")
    assert _blocking(page) == []
    screenshot(page, "experiments-segments-behaviour")

    # Recompute now: the task runs (here at once, in place of the worker) and the page shows the new run.
    runs = SegmentRun.objects.filter(kind="behaviour").count()
    with (
        mock.patch.object(tasks.recompute, "delay", side_effect=lambda kinds: tasks.recompute(kinds)),
        page.expect_navigation(),
    ):
        page.get_by_role("button", name="Recompute now").click()
    assert "recomputation queued" in page.locator(".messagelist").inner_text()
    assert SegmentRun.objects.filter(kind="behaviour").count() == runs + 1
    _drawn(page, ["sizes", "silhouettes", "profiles"])
