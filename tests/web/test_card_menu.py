"""The card menu in a browser: "Not interested" (hide, undo) and the report sheet for posts and comments."""

from __future__ import annotations

import json

import pytest

from content.models import ContentItem
from moderation.models import Case, Report
from profiles.events.models import Interaction
from ranking.models import FeedRequest
from tests.factories import CommentFactory
from tests.web.conftest import card_ids, drain, open_feed, screenshot, shopper_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOLD_MS = 4500  # static/js/feed.js: how long a hide waits in the tracker (the undo's time)
FOCUSED = "() => document.activeElement?.textContent.trim()"


def _events(page) -> list[dict]:
    sent: list[dict] = []
    page.on("request", lambda r: "/api/v1/events" in r.url and sent.extend(json.loads(r.post_data)["events"]))
    return sent


def _menu_button(page, item_id: int):
    return page.locator(f"article.card[data-id='{item_id}'] [data-action='menu']")


def _feed_ids(page, limit: int = 20) -> list[int]:
    """A new feed session's first page, asked by the page itself (its cookie, its shopper)."""
    body = page.evaluate("limit => fetch(`/api/v1/feed?limit=${limit}`).then(r => r.json())", limit)
    return [card["id"] for card in body["cards"]]


def test_the_menu_works_from_the_keyboard_and_not_interested_hides_the_card_for_good(phone_page, shop):
    shop(5)
    sent = _events(phone_page)
    open_feed(phone_page)
    ids = card_ids(phone_page)
    first, button = ids[0], _menu_button(phone_page, ids[0])
    assert (button.get_attribute("aria-haspopup"), button.get_attribute("aria-expanded")) == ("menu", "false")

    button.focus()
    phone_page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert phone_page.evaluate(FOCUSED) == "Not interested"
    phone_page.keyboard.press("ArrowDown")
    assert phone_page.evaluate(FOCUSED) == "Report…"
    phone_page.keyboard.press("ArrowDown")  # wraps round
    assert phone_page.evaluate(FOCUSED) == "Not interested"
    phone_page.keyboard.press("Escape")
    assert phone_page.locator(f"#card-{first}-menu").is_hidden()
    assert button.get_attribute("aria-expanded") == "false"
    assert phone_page.evaluate("() => document.activeElement.dataset.action") == "menu"
    assert card_ids(phone_page) == ids  # Escape and the arrows did not move the feed

    phone_page.keyboard.press("Enter")
    phone_page.keyboard.press("Enter")  # "Not interested"

    assert card_ids(phone_page) == ids[1:]
    phone_page.locator(".toast", has_text="Hidden").wait_for()
    screenshot(phone_page, "not-interested-toast")
    held = [e for e in phone_page.evaluate("() => window.feedsite.tracker.pending()") if e["type"] == "hide"]
    assert [(e["item"], e["position"]) for e in held] == [(first, 0)]
    assert not [e for e in sent if e["type"] == "hide"]  # held back while it can be undone
    phone_page.wait_for_function(
        "() => !window.feedsite.tracker.pending().some(e => e.type === 'hide')", timeout=HOLD_MS + 5000
    )
    drain()

    shopper = shopper_of(phone_page)
    page_one = FeedRequest.objects.get(shopper=shopper, page=0)
    hide = Interaction.objects.get(shopper=shopper, type="hide")
    assert (hide.content_id, hide.request_id, hide.position) == (first, str(page_one.request_id), 0)
    # Seen before it was refused: the impression is there, whatever the time it stayed in view.
    assert Interaction.objects.filter(shopper=shopper, content_id=first, type="impression").count() == 1
    # The next feed serves what the shopper has not seen, and never the hidden card.
    seen = set(Interaction.objects.filter(shopper=shopper).values_list("content_id", flat=True))
    assert set(_feed_ids(phone_page)) == set(ids) - seen
    assert first in seen


def test_undo_in_time_puts_the_card_back_and_sends_nothing(phone_page, shop):
    shop(4)
    sent = _events(phone_page)
    open_feed(phone_page)
    ids = card_ids(phone_page)
    second = ids[1]
    phone_page.keyboard.press("j")
    phone_page.wait_for_timeout(400)  # > impressionMs: seen

    _menu_button(phone_page, second).click()
    phone_page.get_by_role("menuitem", name="Not interested").click()
    assert card_ids(phone_page) == [ids[0], *ids[2:]]
    phone_page.locator(".toast").get_by_role("button", name="Undo").click()

    assert card_ids(phone_page) == ids
    assert phone_page.evaluate("() => document.activeElement.dataset.id") == str(second)
    phone_page.wait_for_timeout(HOLD_MS + 500)
    phone_page.evaluate("() => window.feedsite.tracker.flush()")
    phone_page.wait_for_function("() => window.feedsite.tracker.pending().length === 0")
    assert [e for e in sent if e["type"] == "hide"] == []
    assert [e["item"] for e in sent if e["type"] == "impression"].count(second) == 1


@pytest.mark.parametrize(
    ("status", "answer", "shown"),
    [
        (201, {"id": 7, "reason": "counterfeit", "status": "open"}, "Thanks. A moderator will look at it."),
        (200, {"id": 7, "reason": "counterfeit", "status": "open"}, "You already reported this."),
        (
            400,
            {"error": {"code": "invalid", "message": "That post cannot be reported.", "extra": {}}},
            "That post cannot be reported.",
        ),
    ],
    ids=["new", "repeat", "refused"],
)
def test_report_sends_the_reason_and_note_with_csrf_and_shows_the_answer(phone_page, shop, status, answer, shown):
    shop(3)
    open_feed(phone_page)
    item = card_ids(phone_page)[0]
    requests = []

    def answer_with(route):
        requests.append(route.request)
        route.fulfill(status=status, content_type="application/json", body=json.dumps(answer))

    phone_page.route("**/api/v1/items/*/report", answer_with)
    _menu_button(phone_page, item).click()
    phone_page.get_by_role("menuitem", name="Report…").click()
    sheet = phone_page.locator("#sheet-report")
    sheet.wait_for()
    assert sheet.locator("#report-title").text_content() == "Report this post"
    sheet.get_by_role("button", name="Send report").click()
    assert sheet.locator("[data-report-error]").text_content() == "Choose a reason."
    assert requests == []  # nothing sent without a reason

    sheet.get_by_label("Counterfeit").check()
    sheet.get_by_label("Anything moderators should know?").fill("  Fake logo on the serum.  ")
    assert sheet.locator("[data-report-count]").text_content() == "27 / 500"
    with phone_page.expect_response("**/report"):
        sheet.get_by_role("button", name="Send report").click()

    (request,) = requests
    csrf = phone_page.evaluate("() => document.querySelector('meta[name=csrf-token]').content")
    assert request.method == "POST"
    assert request.url.endswith(f"/api/v1/items/{item}/report")
    assert json.loads(request.post_data) == {"reason": "counterfeit", "note": "Fake logo on the serum."}
    assert request.headers["x-csrftoken"] == csrf
    assert request.headers["content-type"] == "application/json"
    if status >= 400:
        phone_page.wait_for_function("() => !document.querySelector('[data-report-error]').hidden")
        assert sheet.locator("[data-report-error]").text_content() == shown
        assert sheet.locator("[data-report-form]").is_visible()  # still filled in, to try again
        assert sheet.get_by_label("Counterfeit").is_checked()
    else:
        sheet.locator("[data-report-done]").wait_for()
        assert sheet.locator("[data-report-done]").text_content().startswith(shown)
        assert sheet.locator("[data-report-form]").is_hidden()
        screenshot(phone_page, f"report-sheet-{status}")


def test_each_comment_has_a_report_entry_that_reports_the_comment(phone_page, shop):
    world = shop(2)
    open_feed(phone_page)
    item = card_ids(phone_page)[0]
    comment = CommentFactory(content=next(i for i in world.items if i.pk == item), body="Buy followers at spam.example")
    requests = []

    def created(route):
        requests.append(route.request)
        route.fulfill(status=201, content_type="application/json", body='{"id": 3, "reason": "spam", "status": "open"}')

    phone_page.route("**/api/v1/comments/*/report", created)
    phone_page.locator(f"article.card[data-id='{item}'] [data-action='comment']").click()
    author = comment.author.first_name or comment.author.username
    phone_page.locator("#sheet-comments").get_by_role("button", name=f"Report comment by {author}").click()
    sheet = phone_page.locator("#sheet-report")
    sheet.wait_for()
    assert sheet.locator("#report-title").text_content() == "Report this comment"
    sheet.get_by_label("Spam").check()
    with phone_page.expect_response("**/report"):
        sheet.get_by_role("button", name="Send report").click()

    (request,) = requests
    assert request.url.endswith(f"/api/v1/comments/{comment.pk}/report")
    assert json.loads(request.post_data) == {"reason": "spam", "note": ""}
    sheet.locator("[data-report-done]").wait_for()


def test_a_report_from_the_card_menu_reaches_the_queue(phone_page, shop, settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 1  # this one trusted shopper's report is enough to hide
    shop(3)
    open_feed(phone_page)
    item = card_ids(phone_page)[0]

    _menu_button(phone_page, item).click()
    phone_page.get_by_role("menuitem", name="Report…").click()
    sheet = phone_page.locator("#sheet-report")
    sheet.get_by_label("Misleading").check()
    sheet.get_by_label("Anything moderators should know?").fill("Not the colour shown.")
    with phone_page.expect_response("**/report") as answered:
        sheet.get_by_role("button", name="Send report").click()

    assert answered.value.status == 201
    sheet.locator("[data-report-done]").wait_for()
    report = Report.objects.get()
    assert (report.item_id, report.reason, report.note, report.reporter_id) == (
        item,
        "misleading",
        "Not the colour shown.",
        shopper_of(phone_page).pk,
    )
    case = Case.objects.get(item_id=item)
    assert (case.status, case.why, case.reports) == ("open", "reported", 1)
    assert ContentItem.objects.get(pk=item).status == ContentItem.Status.HIDDEN
    assert item not in _feed_ids(phone_page)
