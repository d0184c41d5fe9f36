"""The review queue in a browser: a moderator works through it with the keyboard shortcuts."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from content.models import ContentItem
from moderation.models import AuditEntry, Case
from tests.factories import CaseFactory, ContentItemFactory, ProductFactory, ReportFactory
from tests.moderation.queue.conftest import make_moderator
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = ContentItem.Status


def _photo(name: str) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (360, 480), (200, 90, 60)).save(buffer, format="JPEG")
    return default_storage.save(f"test-web/{name}.jpg", ContentFile(buffer.getvalue()))


def _sign_in(page, username: str) -> None:
    page.goto("/admin/login/?next=/admin/moderation/case/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery")
    with page.expect_navigation():
        page.locator("input[type=submit]").click()


def test_a_moderator_works_through_the_queue_with_the_keyboard(new_page):
    make_moderator("mod")
    replica = ContentItemFactory(
        status=Status.PENDING,
        published_at=None,
        caption="Designer bag, replica, DM me",
        media=_photo("replica"),
        products=[ProductFactory(title="Leather tote")],
    )
    fine = ContentItemFactory(status=Status.PENDING, published_at=None, caption="My morning routine")
    first = CaseFactory(item=replica, risk=0.8, priority=1.2, reports=1, why=Case.Why.REPORTED)
    ReportFactory(item=replica, case=first, reason="counterfeit", note="Fake logo")
    second = CaseFactory(item=fine, risk=0.3, priority=0.3)
    page = new_page("desktop")
    _sign_in(page, "mod")

    # The queue, riskiest first; "Next case" claims it and opens its page.
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert "Designer bag, replica" in rows.nth(0).inner_text()
    screenshot(page, "moderation-queue")
    page.goto("/admin/moderation/case/next/")
    page.wait_for_url(f"**/admin/moderation/case/{first.pk}/change/")
    assert page.locator(".case-shortcuts").is_visible()
    assert "r reject" in page.locator(".case-shortcuts").inner_text()
    screenshot(page, "moderation-case")

    # Pick a reason, leave the select, press r: rejected, and the next case opens.
    page.select_option("#id_reason_code", "counterfeit")
    page.locator("#id_note").fill("Replica logo")
    page.locator("h2").first.click()
    with page.expect_navigation():
        page.keyboard.press("r")
    page.wait_for_url(f"**/admin/moderation/case/{second.pk}/change/")

    # A key typed into the note is text, not a decision.
    page.locator("#id_note").press_sequentially("a fine post")
    assert page.url.endswith(f"/admin/moderation/case/{second.pk}/change/")
    page.locator("h2").first.click()
    with page.expect_navigation():
        page.keyboard.press("a")
    page.wait_for_url("**/admin/moderation/case/")
    assert "Nothing left in the queue for you." in page.locator(".messagelist").inner_text()

    replica.refresh_from_db()
    fine.refresh_from_db()
    assert (replica.status, replica.status_reason) == (Status.REJECTED, "Counterfeit: Replica logo")
    assert fine.status == Status.PUBLISHED
    assert list(
        AuditEntry.objects.filter(action__in=["reject", "approve"])
        .order_by("pk")
        .values_list("actor__username", "action", "target_id", "reason_code", "note")
    ) == [
        ("mod", "reject", replica.pk, "counterfeit", "Replica logo"),
        ("mod", "approve", fine.pk, "ok", "a fine post"),
    ]
    assert set(Case.objects.values_list("status", flat=True)) == {"closed"}
