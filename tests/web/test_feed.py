"""The feed page in a browser: onboarding, infinite scroll, keyboard, autoplay, layout, live hook."""

import pytest
from django.utils import timezone

from content.models import ContentMedia
from profiles.models import Interest
from tests.web.conftest import card_ids, card_in_view, open_feed, screenshot, shopper_of, wait_for_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_visit_onboards_and_the_first_feed_starts_with_the_picked_interest(phone_page, shop):
    world = shop(9)
    beauty_items = {item.pk for item in world.items if world.beauty in item.tags.all()}

    phone_page.goto("/")
    phone_page.wait_for_url("**/welcome?next=/")
    screenshot(phone_page, "onboarding")
    phone_page.locator(".chip", has_text="Beauty").click()
    phone_page.get_by_role("button", name="Show me my feed").click()
    phone_page.wait_for_selector("article.card[data-id]")

    shopper = shopper_of(phone_page)
    assert list(Interest.objects.filter(shopper=shopper).values_list("tag__slug", flat=True)) == ["cat-beauty"]
    assert shopper.onboarded_at is not None
    first = card_ids(phone_page)[: len(beauty_items)]
    assert set(first) == beauty_items
    assert phone_page.locator("#consent").is_visible()
    screenshot(phone_page, "feed-first-visit")


def test_scrolling_loads_every_page_once_and_never_repeats_a_card(phone_page, shop):
    world = shop(19)  # three pages of 8
    feed_requests = []
    phone_page.on("request", lambda request: "/api/v1/feed" in request.url and feed_requests.append(request.url))
    open_feed(phone_page)

    for _ in range(60):  # 19 cards; a bound, so that a feed that never ends fails instead of hanging
        if phone_page.locator(".card--end").count():
            break
        phone_page.keyboard.press("j")
        phone_page.wait_for_timeout(120)

    ids = card_ids(phone_page)
    assert len(ids) == len(set(ids)) == 19
    assert set(ids) == world.item_ids()
    assert len(feed_requests) == 3
    assert "cursor=" not in feed_requests[0]
    assert all("cursor=" in url for url in feed_requests[1:])
    assert phone_page.locator(".card--end").get_by_text("You're all caught up").is_visible()


def test_with_reduced_motion_no_video_plays_by_itself_and_play_starts_it(phone_page, shop):
    world = shop(4)  # the newest, first, is the video
    phone_page.emulate_media(reduced_motion="reduce")
    open_feed(phone_page)
    card = phone_page.locator(f"article.card[data-id='{world.items[0].pk}']")

    play = card.get_by_role("button", name="Play video")
    play.wait_for()
    assert phone_page.evaluate("() => document.querySelector('article.card video').paused") is True
    play.click()

    phone_page.wait_for_function("() => !document.querySelector('article.card video').paused")
    play.wait_for(state="hidden")  # hidden once play() resolves, just after playback starts


def test_keys_move_one_card_at_a_time_and_only_the_card_in_view_plays(phone_page, shop):
    world = shop(4)  # the newest, first, is the video
    video_id = world.items[0].pk
    open_feed(phone_page)
    ids = card_ids(phone_page)
    assert ids[0] == video_id
    phone_page.wait_for_function("() => !document.querySelector('article.card video').paused")

    paused = []
    for key, expected in [("ArrowDown", ids[1]), ("j", ids[2]), ("ArrowUp", ids[1]), ("k", ids[0])]:
        phone_page.keyboard.press(key)
        wait_for_card(phone_page, expected)
        phone_page.wait_for_timeout(150)  # the observer's callback after the scroll settles
        paused.append(phone_page.evaluate("() => document.querySelector('video').paused"))

    assert paused == [True, True, True, False]
    assert phone_page.evaluate("() => document.activeElement.dataset.id") == str(ids[0])


def test_media_boxes_are_reserved_and_described(phone_page, shop):
    world = shop(3)
    video_item, image_item = world.items[0], world.items[1]
    open_feed(phone_page)

    first = phone_page.locator(f"article.card[data-id='{video_item.pk}']")
    video = first.locator("video")
    image = phone_page.locator(f"article.card[data-id='{image_item.pk}'] img.card__media")

    assert video.get_attribute("poster") == f"/media/{video_item.poster.name}"
    assert (
        video.get_attribute("aria-label") == f"Video by @{video_item.creator.handle}: Look 0: my everyday glow routine"
    )
    assert image.get_attribute("alt") == f"Photo by @{image_item.creator.handle}: Look 1: my everyday glow routine"
    assert (image.get_attribute("width"), image.get_attribute("height")) == ("360", "640")
    assert first.locator('[data-action="like"]').get_attribute("aria-label") == "Like, 0 likes"
    assert first.locator('.card__rail [data-action="why"]').get_attribute("aria-label") == "Why am I seeing this?"
    box = first.bounding_box()
    assert (box["width"], box["height"]) == (390, 844)


def test_why_sheet_shows_the_reason_the_feed_gave(phone_page, shop):
    shop(3)
    open_feed(phone_page)

    phone_page.locator("article.card[data-id]").first.locator('.card__rail [data-action="why"]').click()

    sheet = phone_page.locator("#sheet-why")
    assert sheet.is_visible()
    why = sheet.locator("[data-why-text]").inner_text()
    assert why == "New in the shop" or (why.startswith("Popular") and why.endswith("right now"))
    screenshot(phone_page, "why-sheet")
    phone_page.keyboard.press("Escape")
    assert not sheet.is_visible()


def test_desktop_shows_a_centred_9_16_column_with_the_details_beside_it(desktop_page, shop):
    shop(4)
    open_feed(desktop_page)

    first = desktop_page.locator("article.card[data-id]").first
    stage = first.locator(".card__stage").bounding_box()
    info = first.locator(".card__info").bounding_box()
    rail = first.locator(".card__rail").bounding_box()

    assert abs(stage["width"] / stage["height"] - 9 / 16) < 0.01
    assert stage["height"] > 650
    assert stage["x"] < rail["x"] < info["x"]
    # The column and its side panels sit in the middle of the window.
    left, right = stage["x"], 1280 - (info["x"] + info["width"])
    assert abs(left - right) < 4
    assert first.locator(".card__info").get_by_text("In this post").is_visible()
    screenshot(desktop_page, "feed")


def test_insert_fresh_puts_new_cards_on_top_and_offers_to_go_there(phone_page, shop):
    world = shop(3)
    fresh = world.items[-1]
    open_feed(phone_page)
    ids = card_ids(phone_page)
    phone_page.keyboard.press("j")
    wait_for_card(phone_page, ids[1])
    # A card as the websocket sends it (the feed's card shape), new to this page, and one it has.
    new_card = phone_page.evaluate(
        "(ids) => ({...document.querySelector(`article.card[data-id='${ids[0]}']`).feedCard, id: 999999})", ids
    )

    added = phone_page.evaluate(
        "([fresh, known]) => window.feedsite.insertFresh([fresh, known])", [new_card, {"id": ids[0]}]
    )

    assert added == 1
    assert card_ids(phone_page) == [999999, *ids]
    assert card_in_view(phone_page) == ids[1]  # the shopper stays where they were
    pill = phone_page.locator("#fresh-pill")
    assert pill.is_visible()
    pill.click()
    wait_for_card(phone_page, 999999)
    phone_page.evaluate("() => window.feedsite.updateCounts(999999, {likes: 1234})")
    assert phone_page.locator("article.card[data-id='999999'] [data-count='like']").inner_text() == "1.2K"
    assert fresh.pk in ids


def test_a_carousel_swipes_through_its_images_and_counts_them(desktop_page, shop, media_files):
    world = shop(1)
    item = world.items[0]
    item.kind = "image"
    item.media = media_files.images[0]
    item.save(update_fields=["kind", "media"])
    for position, name in enumerate(media_files.images[:3]):
        ContentMedia.objects.create(
            item=item,
            position=position,
            kind="image",
            original_type="image/jpeg",
            file=name,
            file_type="image/jpeg",
            width=360,
            height=640,
            processed_at=timezone.now(),
        )
    open_feed(desktop_page)

    card = desktop_page.locator(f"article.card[data-id='{item.pk}']")
    images = card.locator("img.card__gallery-image")
    assert images.count() == 3
    assert images.nth(2).get_attribute("alt").endswith("(image 3 of 3)")
    count = card.locator(".card__gallery-count")
    assert count.inner_text() == "1 / 3"

    card.get_by_role("button", name="Next image").click()
    desktop_page.wait_for_function("el => el.textContent === '2 / 3'", arg=count.element_handle())
    strip = card.locator(".card__gallery").element_handle()
    desktop_page.wait_for_function("el => Math.abs(el.scrollLeft - el.clientWidth) < 1", arg=strip)
    screenshot(desktop_page, "feed-carousel")
    card.get_by_role("button", name="Previous image").click()
    desktop_page.wait_for_function("el => el.textContent === '1 / 3'", arg=count.element_handle())
