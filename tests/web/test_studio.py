"""The creators' studio in a browser: applying, uploading a carousel (progress, Retry), the status
of a post as it is processed, scheduling, and the same forms with JavaScript off."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from content.media.pipeline import media_process_item
from content.models import ContentItem, Creator
from tests.factories import CreatorFactory, ProductFactory, TagFactory, UserFactory
from tests.web.conftest import DESKTOP, PHONE, screenshot

# Posts go through moderation's screening: its default rules (a flushed database lacks them) hold
# the posts of these new accounts for review.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("moderation_rules")]
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
        # Noise: large enough (about 0.5 MB) that the upload reports progress on its way.
        noise = Image.effect_noise((720, 1280), 90 + index).convert("RGB")
        Image.blend(noise, Image.new("RGB", noise.size, (60 * index % 256, 90, 200)), 0.5).save(path, format="JPEG")
        paths.append(str(path))
    return paths


RECORD_PROGRESS = """() => {
    const label = document.querySelector("[data-upload-label]");
    new MutationObserver(() => {
        const seen = JSON.parse(sessionStorage.getItem("progress") || "[]");
        sessionStorage.setItem("progress", JSON.stringify([...seen, label.textContent]));
    }).observe(label, {childList: true, characterData: true, subtree: true});
}"""


def approved_creator() -> Creator:
    return CreatorFactory(handle="glowwithmia", display_name="Mia", status=Creator.Status.APPROVED)


def test_a_shopper_applies_and_waits_for_staff(new_page, settings):
    settings.CREATOR_APPROVAL = "staff"
    user = UserFactory()
    desktop, phone = new_page("desktop"), new_page("phone")
    sign_in(desktop, user)
    desktop.get_by_role("heading", name="Become a creator").wait_for()
    screenshot(desktop, "studio-apply")

    sign_in(phone, user)
    phone.fill("#id_handle", "admin")
    phone.fill("#id_display_name", "Mia")
    phone.get_by_role("button", name="Apply").click()
    phone.get_by_text("@admin is reserved; choose another handle.").wait_for()
    screenshot(phone, "studio-apply-refused")
    phone.fill("#id_handle", "glowwithmia")
    phone.fill("#id_bio", "Skincare for oily skin, every morning.")
    phone.set_input_files("#id_avatar", {"name": "me.png", "mimeType": "image/png", "buffer": png(96)})
    phone.get_by_role("button", name="Apply").click()
    phone.get_by_text("waiting for review").wait_for()
    screenshot(phone, "studio-applied")

    creator = Creator.objects.get(user=user)
    assert (creator.handle, creator.status) == ("glowwithmia", Creator.Status.APPLIED)
    assert creator.avatar.name.startswith("avatars/")
    desktop.reload()
    desktop.get_by_text("waiting for review").wait_for()
    assert desktop.get_by_role("link", name="New post").count() == 0


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

    # The first attempt dies on the network: Retry resends it with the same Idempotency-Key.
    keys: list[str] = []
    page.on(
        "request", lambda r: keys.append(r.headers.get("idempotency-key", "")) if "/studio/items" in r.url else None
    )
    page.route("**/api/v1/studio/items", lambda route: route.abort("connectionreset"))
    page.get_by_role("button", name="Upload").click()
    retry = page.get_by_role("button", name="Retry")
    retry.wait_for()
    assert "interrupted" in page.locator("[data-upload-label]").inner_text()
    screenshot(page, "studio-upload-retry")
    page.unroute("**/api/v1/studio/items")
    # What the progress label says during the upload, kept across the redirect that follows it.
    page.evaluate(RECORD_PROGRESS)
    retry.click()
    page.wait_for_url("**/studio/#post-*")

    assert len(keys) == 2
    assert keys[0] == keys[1] != ""
    progress = page.evaluate("() => JSON.parse(sessionStorage.getItem('progress') || '[]')")
    assert "Uploading… 100%" in progress
    item = ContentItem.objects.get(creator=creator)
    assert (item.kind, item.caption) == ("image", "Three steps to glass skin #glow")
    assert item.media_files.count() == 3
    assert list(item.products.all()) == [serum]
    assert sorted(item.tags.values_list("slug", flat=True)) == ["glow", "skincare"]
    row = page.locator(f"#post-{item.pk}")
    if item.status == Status.PROCESSING:
        # With a real broker no worker runs here: the test runs the queue "media"'s task itself (the
        # embedded default ran it inline, after the upload's commit). The page polls meanwhile.
        assert row.locator("[data-status-label]").inner_text() == "Processing"
        screenshot(page, "studio-posts-processing")
        media_process_item(item.pk)
    row.locator("[data-status-label]", has_text="Pending review").wait_for()
    row.locator("img").wait_for()
    assert row.locator("img").get_attribute("src").endswith(".webp")
    screenshot(page, "studio-posts-ready")


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
    page.get_by_label("Schedule").check()
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
        page.get_by_label("Schedule").check()
        page.fill("#id_publish_at", "2031-06-01T10:00")
        page.select_option("#id_timezone", "Europe/Paris")
        screenshot(page, f"studio-no-js-{size}")
        page.get_by_role("button", name="Upload").click()
        page.wait_for_url("**/studio/#post-*")
        row = page.locator(f"#post-{ContentItem.objects.filter(creator=creator).latest('pk').pk}")
        assert row.locator("[data-status-label]").inner_text() in {"Processing", "Pending review"}
        context.close()

    items = list(ContentItem.objects.filter(creator=creator).order_by("pk"))
    assert [item.caption for item in items] == ["No script needed (phone)", "No script needed (desktop)"]
    for item in items:
        assert item.publish_at == datetime(2031, 6, 1, 8, 0, tzinfo=UTC)
        assert list(item.products.all()) == [serum]
        assert item.media_files.count() == 2


def test_a_creator_edits_a_scheduled_post_shown_in_their_time_zone(new_page):
    creator = approved_creator()
    serum = ProductFactory(title="Glow serum")
    item = ContentItem.objects.create(
        kind="image",
        creator=creator,
        status=Status.SCHEDULED,
        caption="Soon",
        publish_at=datetime(2031, 6, 1, 14, 0, tzinfo=UTC),
    )
    page = new_page("phone")
    page.context.new_cdp_session(page).send("Emulation.setTimezoneOverride", {"timezoneId": "America/New_York"})
    sign_in(page, creator.user)
    page.locator(f"#post-{item.pk}").get_by_role("link", name="Edit").click()
    page.wait_for_url(f"**/studio/posts/{item.pk}/edit")

    # Stored 14:00 UTC: 10:00 in New York, in the browser's zone.
    assert (page.input_value("#id_publish_at"), page.input_value("#id_timezone")) == (
        "2031-06-01T10:00",
        "America/New_York",
    )
    page.fill("#id_caption", "Soon: my summer routine")
    page.locator("[data-product-query]").press_sequentially("serum")
    page.locator(".product-pick", has_text="Glow serum").click()
    page.fill("#id_publish_at", "2031-06-02T09:30")
    screenshot(page, "studio-edit")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/studio/#post-*")

    item.refresh_from_db()
    assert (item.caption, item.status) == ("Soon: my summer routine", Status.SCHEDULED)
    assert item.publish_at == datetime(2031, 6, 2, 13, 30, tzinfo=UTC)
    assert list(item.products.all()) == [serum]
