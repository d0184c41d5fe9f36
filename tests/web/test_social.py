"""Likes, follows, comments and shares in a browser: the state survives, the signal is sent."""

import pytest

from content.models import Comment
from profiles.events.models import Interaction
from profiles.models import Follow, Like
from tests.factories import UserFactory
from tests.web.conftest import deliver_events, drain, open_feed, screenshot, shopper_of, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_like_survives_a_reload(phone_page, shop):
    item = shop(3).items[1]
    open_feed(phone_page)
    phone_page.goto(f"/c/{item.pk}")
    like = phone_page.locator(f"article.card[data-id='{item.pk}'] [data-action='like']")
    assert like.get_attribute("aria-pressed") == "false"

    with phone_page.expect_response(f"**/api/v1/items/{item.pk}/like"):
        like.click()
    phone_page.reload()
    like = phone_page.locator(f"article.card[data-id='{item.pk}'] [data-action='like']")

    assert like.get_attribute("aria-pressed") == "true"
    assert like.get_attribute("aria-label") == "Unlike, 1 like"
    assert like.locator("[data-count='like']").inner_text() == "1"
    assert list(Like.objects.values_list("content_id", flat=True)) == [item.pk]
    deliver_events(phone_page)
    drain()
    assert list(Interaction.objects.filter(type="like").values_list("content_id", flat=True)) == [item.pk]


def test_follow_marks_every_card_of_the_creator_and_is_kept(phone_page, shop):
    world = shop(6)  # three creators, two posts each
    creator = world.items[0].creator
    open_feed(phone_page)

    with phone_page.expect_response(f"**/api/v1/creators/{creator.pk}/follow"):
        phone_page.locator("article.card[data-id]").first.get_by_role(
            "button", name=f"Follow @{creator.handle}"
        ).click()

    buttons = phone_page.locator(f"article.card[data-creator='{creator.pk}'] [data-action='follow']")
    assert buttons.count() == 2
    assert [buttons.nth(i).inner_text() for i in range(2)] == ["Following", "Following"]
    assert phone_page.locator("[data-action='follow'][aria-pressed='true']").count() == 2
    shopper = shopper_of(phone_page)
    assert list(Follow.objects.filter(shopper=shopper).values_list("creator_id", flat=True)) == [creator.pk]
    phone_page.goto(f"/c/{world.items[3].pk}")
    assert (
        phone_page.locator(f"article.card[data-id='{world.items[3].pk}'] [data-action='follow']").inner_text()
        == "Following"
    )


def test_a_signed_in_shopper_comments_and_the_count_follows(phone_page, shop):
    item = shop(3).items[1]
    user = UserFactory(username="mira", first_name="Mira")
    sign_in(phone_page, user, next_path=f"/c/{item.pk}")
    card = phone_page.locator(f"article.card[data-id='{item.pk}']")

    card.locator("[data-action='comment']").click()
    sheet = phone_page.locator("#sheet-comments")
    sheet.get_by_text("No comments yet").wait_for()
    sheet.locator("textarea").fill("Where is this serum from?")
    with phone_page.expect_response(f"**/api/v1/items/{item.pk}/comments"):
        sheet.get_by_role("button", name="Post").click()

    assert sheet.locator(".comment").first.inner_text().endswith("Where is this serum from?")
    screenshot(phone_page, "comments-sheet")
    phone_page.keyboard.press("Escape")
    assert card.locator("[data-count='comment']").inner_text() == "1"
    comment = Comment.objects.get()
    assert (comment.content_id, comment.author_id, comment.body, comment.status) == (
        item.pk,
        user.pk,
        "Where is this serum from?",
        "visible",
    )
    deliver_events(phone_page)
    drain()
    assert sorted(Interaction.objects.filter(content=item).values_list("type", flat=True).distinct()) == [
        "comment",
        "impression",
        "open",
    ]


def test_a_refused_comment_says_why_and_is_not_stored(phone_page, shop, moderation_rules):
    """Refused by moderation's default "Slurs and threats" rule."""
    item = shop(2).items[0]
    sign_in(phone_page, UserFactory(), next_path=f"/c/{item.pk}")

    phone_page.locator(f"article.card[data-id='{item.pk}'] [data-action='comment']").click()
    sheet = phone_page.locator("#sheet-comments")
    sheet.locator("textarea").fill("what a scammer")
    sheet.get_by_role("button", name="Post").click()

    error = sheet.locator("[data-comment-error]")
    error.wait_for()
    assert error.inner_text() == "Please keep it kind: this uses words we don't allow."
    assert Comment.objects.count() == 0


def test_share_copies_the_card_link_and_counts_a_share(desktop_page, shop):
    item = shop(2).items[0]
    open_feed(desktop_page)
    card = desktop_page.locator(f"article.card[data-id='{item.pk}']")

    card.locator("[data-action='share']").click()
    desktop_page.get_by_text("Link copied").wait_for()

    copied = desktop_page.evaluate("() => navigator.clipboard.readText()")
    assert copied.endswith(f"/c/{item.pk}")
    assert card.locator("[data-count='share']").inner_text() == "1"
    deliver_events(desktop_page)
    drain()
    assert list(Interaction.objects.filter(type="share").values_list("content_id", flat=True)) == [item.pk]
