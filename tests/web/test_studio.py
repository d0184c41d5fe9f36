"""The creators' studio in a browser: applying, uploading a carousel (progress, Retry), the status
of a post as it is processed, scheduling, and the same forms with JavaScript off."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from content.models import ContentItem, Creator
from tests.factories import CreatorFactory, ProductFactory, TagFactory, UserFactory
from tests.web.conftest import DESKTOP, PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = ContentItem.Status
PASSWORD = "correct horse battery"


def sign_in(page, user, *, next_path: str = "/studio/") -> None:
    page.goto(f"/signin?next={next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}")


def photos(folder: Path, n: int) -> list[str]:
    """``n`` JPEG files of different colours in ``folder``; their paths."""
    paths = []
    for index in range(n):
        path = folder / f"look-{index}.jpg"
        Image.new("RGB", (540, 960), (60 * index % 256, 90, 200)).save(path, format="JPEG")
        paths.append(str(path))
    return paths


def approved_creator() -> Creator:
    return CreatorFactory(handle="glowwithmia", display_name="Mia", status=Creator.Status.APPROVED)


def test_a_shopper_applies_and_waits_for_staff(new_page, settings):
    settings.CREATOR_APPROVAL = "staff"
    user = UserFactory()
    for size in ("phone", "desktop"):
        page = new_page(size)
        sign_in(page, user)
        page.get_by_role("heading", name="Become a creator").wait_for()
        if size == "phone":
            page.fill("#id_handle", "admin")
            page.fill("#id_display_name", "Mia")
            page.get_by_role("button", name="Apply").click()
            page.get_by_text("@admin is reserved; choose another handle.").wait_for()
            screenshot(page, "studio-apply-refused")
            page.fill("#id_handle", "glowwithmia")
            page.fill("#id_bio", "Skincare for oily skin, every morning.")
            page.set_input_files("#id_avatar", {"name": "me.png", "mimeType": "image/png", "buffer": png(96)})
            page.get_by_role("button", name="Apply").click()
        page.get_by_text("waiting for review").wait_for()
        screenshot(page, "studio-applied")

    creator = Creator.objects.get(user=user)
    assert (creator.handle, creator.status) == ("glowwithmia", Creator.Status.APPLIED)
    assert creator.avatar.name.startswith("avatars/")


def png(side: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (255, 61, 110)).save(out, format="PNG")
    return out.getvalue()


def test_a_creator_uploads_a_carousel_with_progress_and_a_retry_that_makes_one_post(new_page, tmp_path):
    creator = approved_creator()
    serum = ProductFactory(title="Glow serum", stock=4)
    TagFactory(slug="skincare", name="Skincare")
    page = new_page("phone")
    sign_in(page, creator.user, next_path="/studio/new")

    page.set_input_files("#id_media", photos(tmp_path, 3))
    page.get_by_text("look-2.jpg").wait_for()
    page.fill("#id_caption", "Three steps to glass skin #glow")
    page.locator("[data-tag-input]").press_sequentially("ski")
    page.locator(".suggestion", has_text="#Skincare").click()
    assert page.input_value("[data-tag-input]") == "skincare, "
    page.locator("[data-product-query]").press_sequentially("glow")
    page.locator(".product-pick", has_text="Glow serum").click()
    screenshot(page, "studio-new-post")

    # The first answer is lost (a proxy's 502 after the server stored the post): Retry resends it.
    answers: list[int] = []

    def first_answer_lost(route):
        response = route.fetch()
        answers.append(response.status)
        if len(answers) == 1:
            route.fulfill(status=502, body="Bad gateway")
        else:
            route.fulfill(response=response)

    page.route("**/api/v1/studio/items", first_answer_lost)
    page.get_by_role("button", name="Upload").click()
    retry = page.get_by_role("button", name="Retry")
    retry.wait_for()
    assert page.eval_on_selector("[data-upload-bar]", "bar => bar.value") == 100
    screenshot(page, "studio-upload-retry")
    retry.click()
    page.wait_for_url("**/studio/#post-*")

    assert answers == [201, 201]
    item = ContentItem.objects.get(creator=creator)
    assert (item.kind, item.status, item.caption) == ("image", Status.PROCESSING, "Three steps to glass skin #glow")
    assert item.media_files.count() == 3
    assert list(item.products.all()) == [serum]
    assert sorted(item.tags.values_list("slug", flat=True)) == ["glow", "skincare"]
    row = page.locator(f"#post-{item.pk}")
    assert row.locator("[data-status-label]").inner_text() == "Processing"
    screenshot(page, "studio-posts-processing")


def test_the_status_of_a_processing_post_refreshes_by_itself(new_page):
    creator = approved_creator()
    item = ContentItem.objects.create(kind="image", creator=creator, status=Status.PROCESSING, caption="Soon")
    page = new_page("desktop")
    sign_in(page, creator.user)
    label = page.locator(f"#post-{item.pk} [data-status-label]")
    assert label.inner_text() == "Processing"

    ContentItem.objects.filter(pk=item.pk).update(status=Status.PENDING)

    page.wait_for_function(
        "id => document.querySelector(`#post-${id} [data-status-label]`).textContent === 'Pending review'",
        arg=item.pk,
        timeout=10_000,
    )
    assert "Waiting for a moderator" in page.locator(f"#post-{item.pk} [data-reason]").inner_text()
    screenshot(page, "studio-posts")


def test_a_creator_schedules_a_post_in_their_time_zone(new_page, tmp_path):
    creator = approved_creator()
    page = new_page("desktop")
    # A zone far from the server's UTC, so that a time read in the wrong zone shows.
    page.context.new_cdp_session(page).send("Emulation.setTimezoneOverride", {"timezoneId": "America/New_York"})
    sign_in(page, creator.user, next_path="/studio/new")

    page.set_input_files("#id_media", photos(tmp_path, 1))
    page.get_by_text("Schedule").click()
    page.fill("#id_publish_at", "2031-06-01T10:00")
    assert page.input_value("#id_timezone") == "America/New_York"
    screenshot(page, "studio-schedule")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/studio/#post-*")

    # 10:00 in New York in June (EDT, UTC-4).
    assert ContentItem.objects.get(creator=creator).publish_at == datetime(2031, 6, 1, 14, 0, tzinfo=UTC)


def test_the_studio_works_without_javascript(browser, live_server, tmp_path):
    creator = approved_creator()
    serum = ProductFactory(title="Glow serum")
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, java_script_enabled=False)
        page = context.new_page()
        sign_in(page, creator.user, next_path="/studio/new")
        # Products first (a search reloads the page), then the rest.
        page.fill("[data-product-query]", "serum")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/studio/new?product_q=serum")
        page.locator(".product-pick", has_text="Glow serum").click()
        page.set_input_files("#id_media", photos(tmp_path, 2))
        page.fill("#id_caption", f"No script needed ({size})")
        page.fill("#id_tags", "glow, spf")
        page.get_by_text("Schedule").click()
        page.fill("#id_publish_at", "2031-06-01T10:00")
        page.select_option("#id_timezone", "Europe/Paris")
        screenshot(page, f"studio-no-js-{size}")
        page.get_by_role("button", name="Upload").click()
        page.wait_for_url("**/studio/#post-*")
        page.get_by_text("Refresh").wait_for()
        context.close()

    items = list(ContentItem.objects.filter(creator=creator).order_by("pk"))
    assert [item.caption for item in items] == ["No script needed (phone)", "No script needed (desktop)"]
    for item in items:
        assert item.publish_at == datetime(2031, 6, 1, 8, 0, tzinfo=UTC)
        assert list(item.products.all()) == [serum]
        assert item.media_files.count() == 2
