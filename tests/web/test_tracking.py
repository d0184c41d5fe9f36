"""The tracker in a browser: what reaches POST /api/v1/events, and what does not."""

import json

import pytest

from profiles.events.models import Interaction
from profiles.models import Like
from profiles.shop.models import CartLine
from ranking.models import FeedRequest
from tests.web.conftest import card_ids, deliver_events, drain, open_feed, shopper_of, wait_for_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tracked(page, sent):
    """Every event of the page so far: sent (``sent`` collects the requests) or still held."""
    return [*sent, *page.evaluate("() => window.feedsite.tracker.pending()")]


# What the tracker keeps in localStorage until the server has it (one key per tab).
STORED_EVENTS = """() => Object.keys(localStorage)
    .filter(key => key.startsWith("fs_events"))
    .flatMap(key => JSON.parse(localStorage[key]))"""


def test_impressions_dwell_and_video_progress_reach_the_api_with_their_card(phone_page, shop):
    world = shop(4)
    video_id = world.items[0].pk
    sent = []
    phone_page.on("request", lambda r: "/api/v1/events" in r.url and sent.extend(json.loads(r.post_data)["events"]))
    open_feed(phone_page)
    ids = card_ids(phone_page)
    assert ids[0] == video_id
    # The 2 s clip loops in view: an impression after 0.3 s, then its four milestones.
    for _ in range(100):
        if any(e["type"] == "video_progress" and e["value"] == 100 for e in tracked(phone_page, sent)):
            break
        phone_page.wait_for_timeout(100)
    else:
        pytest.fail("the video was never seen to the end")
    phone_page.keyboard.press("j")
    wait_for_card(phone_page, ids[1])
    phone_page.wait_for_timeout(500)  # > impressionMs: the second card is seen too
    deliver_events(phone_page)

    drain()

    shopper = shopper_of(phone_page)
    first_page = FeedRequest.objects.get(shopper=shopper, page=0)
    rows = Interaction.objects.filter(shopper=shopper, content_id=video_id)
    impression = rows.get(type="impression")
    dwell = rows.get(type="dwell")
    progress = rows.filter(type="video_progress").order_by("value")
    assert impression.request_id == dwell.request_id == str(first_page.request_id)
    assert impression.position == dwell.position == 0
    assert dwell.dwell_ms >= 2000  # in view while the 2 s clip played to its end
    assert [row.context["progress"] for row in progress] == [25, 50, 75, 100]
    assert [row.value for row in progress] == [25.0, 50.0, 75.0, 100.0]
    assert impression.context == {"device": "mobile", "viewport": [390, 844]}
    assert impression.session_id.startswith("s-")
    assert impression.event_id.startswith("w-")
    assert rows.values("session_id").distinct().count() == 1
    assert Interaction.objects.filter(shopper=shopper, content_id=ids[1], type="impression").count() == 1


def test_refusing_personalization_stops_every_event_but_keeps_likes_and_cart(phone_page, shop):
    shop(4)
    sent = []
    phone_page.on("request", lambda request: "/api/v1/events" in request.url and sent.append(request.post_data))
    # The banner answered on a page without cards, before the feed ever tracks anything.
    phone_page.goto("/cart")
    phone_page.locator('[data-consent="refused"]').click()
    phone_page.wait_for_selector("#consent", state="hidden")
    phone_page.goto("/welcome")
    phone_page.get_by_role("button", name="Skip for now").click()
    phone_page.wait_for_selector("article.card[data-id]")

    first = phone_page.locator("article.card[data-id]").first
    with phone_page.expect_response("**/like"):
        first.locator('[data-action="like"]').click()
    with phone_page.expect_response("**/api/v1/cart/lines"):
        first.locator('[data-action="add"]').click()
    for _ in range(3):
        phone_page.keyboard.press("j")
        phone_page.wait_for_timeout(500)
    phone_page.evaluate("() => window.feedsite.tracker.flush()")
    phone_page.evaluate("() => window.feedsite.tracker.flushBeacon()")
    phone_page.wait_for_timeout(300)
    drain()

    shopper = shopper_of(phone_page)
    assert shopper.personalization is False
    assert sent == []
    assert phone_page.evaluate("() => window.feedsite.tracker.pending().length") == 0
    assert Interaction.objects.count() == 0
    assert Like.objects.filter(shopper=shopper).count() == 1
    assert CartLine.objects.filter(cart__shopper=shopper).count() == 1


def test_events_held_during_a_network_failure_survive_a_reload(phone_page, shop):
    shop(4)
    open_feed(phone_page)
    phone_page.route("**/api/v1/events", lambda route: route.abort("internetdisconnected"))
    phone_page.keyboard.press("j")
    phone_page.wait_for_timeout(900)
    phone_page.evaluate("() => window.feedsite.tracker.flush()")
    stored = phone_page.evaluate(STORED_EVENTS)
    held = {event["event_id"] for event in stored}
    assert {event["type"] for event in stored} >= {"impression", "dwell"}

    phone_page.unroute("**/api/v1/events")
    # The beacon on the way out is lost too: the next page must find the events in storage.
    phone_page.evaluate("() => { navigator.sendBeacon = () => false; }")
    phone_page.reload()
    phone_page.wait_for_selector("article.card[data-id]")
    deliver_events(phone_page)
    drain()

    delivered = set(Interaction.objects.values_list("event_id", flat=True))
    still_stored = phone_page.evaluate(STORED_EVENTS)
    assert held <= delivered
    assert held.isdisjoint(event["event_id"] for event in still_stored)


JUMP_TO = """id => document.querySelector(`article.card[data-id='${id}']`)
    .scrollIntoView({block: 'start', behavior: 'instant'})"""


def test_a_fast_scroll_sends_skips_for_the_cards_passed_by_and_not_for_one_lingered_on_or_liked(new_page, shop):
    shop(6)
    # The real threshold (1 s): a slow test machine must not turn a 0.1 s pass into a long look.
    phone_page = new_page("phone", tracker="window.feedsiteTrackerOptions = {minDwellMs: 200, flushMs: 300};")
    sent = []
    phone_page.on("request", lambda r: "/api/v1/events" in r.url and sent.extend(json.loads(r.post_data)["events"]))
    open_feed(phone_page)
    ids = card_ids(phone_page)
    phone_page.wait_for_timeout(1200)  # > impressionMs: the first card is seen, not skipped

    # A fling: cards 2 to 4 in view for ~0.1 s each (< impressionMs, 1 s), card 3 liked on the way.
    for index in (1, 2, 3):
        phone_page.evaluate(JUMP_TO, ids[index])
        wait_for_card(phone_page, ids[index])
        if index == 2:
            with phone_page.expect_response("**/like"):
                phone_page.locator(f"article.card[data-id='{ids[2]}'] [data-action='like']").click()
        phone_page.wait_for_timeout(100)
    phone_page.evaluate(JUMP_TO, ids[4])
    wait_for_card(phone_page, ids[4])
    phone_page.wait_for_timeout(1200)  # lingered on card 5
    events = tracked(phone_page, sent)

    skips = [e for e in events if e["type"] == "skip"]
    impressions = [e["item"] for e in events if e["type"] == "impression"]
    assert [(e["item"], e["position"]) for e in skips] == [(ids[1], 1), (ids[3], 3)]
    assert sorted(impressions) == sorted([ids[0], ids[2], ids[4]])  # the liked card was seen: one impression
    assert [e["type"] for e in events if e["item"] == ids[2]][:2] == ["impression", "like"]
    deliver_events(phone_page)
    drain()
    shopper = shopper_of(phone_page)
    first_page = FeedRequest.objects.get(shopper=shopper, page=0)
    rows = Interaction.objects.filter(shopper=shopper, type="skip").order_by("position")
    assert [(row.content_id, row.request_id, row.position) for row in rows] == [
        (ids[1], str(first_page.request_id), 1),
        (ids[3], str(first_page.request_id), 3),
    ]
