"""The feed KPI dashboard in a browser: a marketer signs in to the admin and finds every chart drawn
by Chart.js with the figures of a simulated shop; without the library, the tables alone."""

import json
import math
import os
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from content.models import ContentItem
from feedsite.roles import Role, role_join
from profiles.dashboard.views import chart_library_url
from profiles.events.models import Interaction
from profiles.models import Shopper
from profiles.shop.models import Order
from ranking.models import FeedRequest
from tests.experiments.kpis.conftest import build_day
from tests.factories import CreatorFactory, UserFactory
from tests.web.axe import blocking
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHARTS = ("activity", "time", "impressions", "shoppers", "sales", "new", "kinds", "sources")
KINDS = ["video"] * 5 + ["image"] * 3 + ["product_card", "brand_post"]
SOURCES = {"video": "ugc", "image": "ugc", "product_card": "promoted", "brand_post": "brand"}


@pytest.fixture(autouse=True)
def _chart_library():
    if chart_library_url() is None:
        message = "Chart.js is not installed: `make vendor` (needs npm) copies it into static/vendor/."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class Truth:
    """What the simulation did on one day, kept as it made it."""

    active: set[int] = field(default_factory=set)
    sessions: int = 0
    impressions: int = 0
    clicks: int = 0
    revenue: Decimal = Decimal("0.00")


def _busy_shop(*, days: int, now: datetime, seed: int = 25) -> dict[date, Truth]:
    """``days`` days and today of a small shop, made in bulk: more shoppers week on week and at
    weekends, each served a page of cards, dwelling, clicking, adding to cart, sometimes ordering."""
    rng = random.Random(seed)
    today = now.date()
    creators = [CreatorFactory() for _ in range(4)]
    shoppers = Shopper.objects.bulk_create([Shopper() for _ in range(120)])
    kinds = [rng.choice(KINDS) for _ in range(80)]
    items = ContentItem.objects.bulk_create(
        ContentItem(
            kind=kind,
            source=SOURCES[kind],
            creator=rng.choice(creators),
            caption=f"Look {n}",
            status=ContentItem.Status.PUBLISHED,
            published_at=datetime.combine(today - timedelta(days=rng.randrange(days)), time(rng.randrange(24)), UTC),
        )
        for n, kind in enumerate(kinds)
    )
    truth: dict[date, Truth] = defaultdict(Truth)
    events: list[Interaction] = []
    pages: list[FeedRequest] = []
    orders: list[Order] = []
    for back in range(days, -1, -1):
        day = today - timedelta(days=back)
        weekend = day.weekday() >= 5
        crowd = int(30 + 0.5 * (days - back) + (15 if weekend else 0) + 6 * math.sin(back / 3))
        for shopper in rng.sample(shoppers, min(crowd, len(shoppers))):
            start = datetime.combine(day, time(rng.randrange(8, 21), rng.randrange(60)), UTC)
            # A third of the shoppers come back for a second session two hours later.
            for session in range(1 + (rng.random() < 0.35)):
                at = start + timedelta(hours=2 * session)
                if at > now - timedelta(minutes=10):
                    continue  # today: only what already happened
                served = rng.sample(items, 8)
                pages.append(
                    FeedRequest(shopper=shopper, feed_session=uuid.uuid4(), items=[i.pk for i in served], served_at=at)
                )
                truth[day].active.add(shopper.pk)
                truth[day].sessions += 1
                for item in served:
                    at += timedelta(seconds=20)
                    dwell = rng.randrange(2000, 40000)
                    events += [
                        Interaction(shopper=shopper, content=item, type="impression", occurred_at=at),
                        Interaction(shopper=shopper, content=item, type="dwell", occurred_at=at, dwell_ms=dwell),
                    ]
                    truth[day].impressions += 1
                    for kind, chance in (
                        ("open", 0.12),
                        ("product_click", 0.06),
                        ("add_to_cart", 0.03 + 0.01 * weekend),
                    ):
                        if rng.random() < chance:
                            events.append(Interaction(shopper=shopper, content=item, type=kind, occurred_at=at))
                            truth[day].clicks += kind != "add_to_cart"
            if start > now - timedelta(minutes=10):
                continue
            if rng.random() < 0.08 + 0.04 * weekend:
                total = Decimal(rng.randrange(1500, 9000)) / 100
                truth[day].revenue += total
                orders.append(
                    Order(
                        number=f"FS-S{len(orders):06d}",
                        shopper=shopper,
                        currency="EUR",
                        total=total,
                        shipping_name="Sam",
                        shipping_address="1 Road",
                        payment_reference="SIMULATED",
                        created_at=start + timedelta(minutes=5),
                    )
                )
    for n, event in enumerate(events):
        event.event_id = f"sim-{n}"
    Interaction.objects.bulk_create(events, batch_size=2000)
    # Both stamp their rows as they are inserted: each is moved back to its moment after.
    for model, rows, column in ((FeedRequest, pages, "served_at"), (Order, orders, "created_at")):
        moments = [getattr(row, column) for row in rows]
        model.objects.bulk_create(rows, batch_size=2000)
        for row, moment in zip(rows, moments, strict=True):
            setattr(row, column, moment)
        model.objects.bulk_update(rows, [column], batch_size=500)
    return truth


def _marketer():
    user = UserFactory(username="mara", is_staff=True)
    role_join(user=user, role=Role.MARKETERS)
    return user


def _sign_in(page, user, next_path):
    page.goto(f"/admin/login/?next={next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery")
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    page.wait_for_url(f"**{next_path}")


DRAWN = """() => Object.fromEntries([...document.querySelectorAll("[data-chart] canvas")].map((canvas) => {
    const chart = Chart.getChart(canvas);
    return [canvas.closest("[data-chart]").dataset.chart, {
        datasets: chart.data.datasets.map((d) => [d.label, d.data]),
        labels: chart.data.labels.length,
        width: canvas.width,
        height: canvas.height,
    }];
}))"""


def test_a_marketer_reads_the_dashboard_with_every_chart_drawn(new_page):
    now = datetime.now(UTC)
    truth = _busy_shop(days=60, now=now)
    page = new_page("desktop")

    _sign_in(page, _marketer(), "/admin/kpis/kpiday/")
    for name in CHARTS:
        page.wait_for_selector(f'[data-chart="{name}"][data-drawn] canvas', state="visible")

    drawn = page.evaluate(DRAWN)
    data = json.loads(page.locator("#kpi-data").text_content())
    dates = [date.fromisoformat(iso) for iso in data["dates"]]
    assert dates == [now.date() - timedelta(days=n) for n in range(30, -1, -1)]
    assert set(drawn) == set(CHARTS)
    for chart in drawn.values():
        assert chart["labels"] == 31  # the 30 days, then today
        assert chart["height"] == 260
        assert chart["width"] > 400
    # What the charts draw is what the simulation did, day by day.
    assert drawn["activity"]["datasets"] == [
        ["Active shoppers", [len(truth[d].active) for d in dates]],
        ["Feed sessions", [truth[d].sessions for d in dates]],
    ]
    assert drawn["impressions"]["datasets"][0] == [
        "Click-through",
        [round(100 * truth[d].clicks / truth[d].impressions, 2) if truth[d].impressions else 0 for d in dates],
    ]
    assert drawn["sales"]["datasets"][0] == ["Revenue (EUR)", [float(truth[d].revenue) for d in dates]]
    assert drawn["sales"]["datasets"][1] == ["Order value (EUR)", data["order_value"]["EUR"]]
    assert drawn["kinds"]["datasets"] == [[label, values] for label, values in data["served_kinds"].items()]
    served = [sum(shares) for shares in zip(*data["served_kinds"].values(), strict=True)]
    assert served == pytest.approx([100 if truth[d].active else 0 for d in dates], abs=0.05)
    assert page.locator("#kpi-days tbody tr").count() == 31
    screenshot(page, "experiments-kpis")
    page.evaluate("document.querySelector('.kpis__charts').scrollIntoView()")
    screenshot(page, "experiments-kpis-charts")
    assert blocking(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_without_the_chart_library_the_tables_are_the_page(new_page):
    build_day(datetime.now(UTC).date() - timedelta(days=2))
    page = new_page("desktop")
    page.route("**/vendor/chart.umd.min.js", lambda route: route.abort())

    _sign_in(page, _marketer(), "/admin/kpis/kpiday/?days=7")

    assert page.locator("[data-chart][data-drawn]").count() == 0
    assert page.locator("[data-chart] canvas:visible").count() == 0
    assert page.locator("#kpi-days tbody tr").count() == 8
    # Six figures, revenue and order value in each of the two currencies sold, new posts.
    assert page.locator(".kpis__headline > div").count() == 11
