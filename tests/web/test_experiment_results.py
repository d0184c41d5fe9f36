"""The experiment results page in a browser, signed in as a marketer: the demo experiment's charts
drawn by Chart.js at desktop size, and the tables alone without the library."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import ContentItem
from experiments import demo
from experiments.models import Experiment
from feedsite.roles import Role, role_join
from profiles.dashboard.views import chart_library_url
from tests.factories import ContentItemFactory, ProductFactory, UserFactory
from tests.web.axe import blocking
from tests.web.conftest import SCREENSHOTS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHARTS = ("forest", "exposures", "lift")
# Whether a chart's canvas has anything drawn on it (a blank canvas is all transparent).
PAINTED = """name => {
    const canvas = document.querySelector(`[data-chart="${name}"] canvas`);
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
    return painted;
}"""


@pytest.fixture(autouse=True)
def _chart_library():
    if chart_library_url() is None:
        message = "Chart.js is not installed: `make vendor` (needs npm) copies it into static/vendor/."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def demo_experiment() -> Experiment:
    """The demo experiment, on sixty published posts older than it."""
    published = timezone.now() - timedelta(days=40)
    for n in range(60):
        ContentItemFactory(
            kind=ContentItem.Kind.VIDEO if n % 3 == 0 else ContentItem.Kind.IMAGE,
            published_at=published + timedelta(minutes=n),
            products=[ProductFactory()],
        )
    made = demo.seed_demo_experiment(seed=7)
    assert made is not None
    return made.experiment


def _sign_in_as_marketer(page, next_path: str) -> None:
    user = UserFactory(username="marketer", is_staff=True)
    role_join(user=user, role=Role.MARKETERS)
    page.goto(f"/admin/login/?next={next_path}")
    page.fill("#id_username", "marketer")
    page.fill("#id_password", "correct horse battery")
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    page.wait_for_url(f"**{next_path}")


def test_a_marketer_reads_the_demo_experiments_results_with_its_charts(new_page, demo_experiment):
    path = f"/admin/experiments/experiment/{demo_experiment.pk}/results/"
    page = new_page("desktop")

    _sign_in_as_marketer(page, path)

    for name in CHARTS:
        page.wait_for_selector(f'[data-chart="{name}"][data-drawn="true"] canvas:not([hidden])')
        assert page.evaluate(PAINTED, name) > 1000, f"the {name} chart is blank"
    assert page.locator("h1").inner_text() == f"Results: {demo.NAME}"
    assert "Split as designed" in page.locator(".results-srm-ok").inner_text()
    primary = page.locator(".results-metrics tbody tr").first
    assert primary.locator("th").inner_text().startswith("Click-through primary")
    assert primary.locator(".results-verdict").inner_text() == "better"
    assert page.locator(".results-guardrails li").count() == 2
    # The snapshot table holds the same series as the charts, a row per day.
    assert page.locator("details.results-series tbody tr").count() == 14
    screenshot(page, "experiments-results")
    page.screenshot(path=str(SCREENSHOTS / "experiments-results-full.png"), full_page=True)
    assert blocking(page) == []


def test_without_the_chart_library_the_tables_are_the_page(new_page, demo_experiment):
    path = f"/admin/experiments/experiment/{demo_experiment.pk}/results/"
    page = new_page("desktop")
    page.route("**/chart.umd.min.js", lambda route: route.abort())

    _sign_in_as_marketer(page, path)

    page.wait_for_selector("details.results-series[open]")
    assert page.locator("[data-drawn]").count() == 0
    assert not page.locator('[data-chart="forest"]').is_visible()
    assert page.locator(".results-metrics tbody tr").count() == 7
