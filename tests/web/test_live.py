"""Live updates in a browser: static/js/live.js against the real websocket, and without one."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import pytest

from content.models import ContentItem
from content.services import content_create, content_publish, content_remove, content_submit
from moderation.services import creator_block
from profiles.events.consumer import EventConsumer
from profiles.events.ingest import events_ingest
from profiles.models import Follow
from profiles.services import like_create
from ranking import presence
from ranking.hub import hub
from tests.factories import ProductFactory, ShopperFactory
from tests.profiles.events.conftest import BROWSER_UA, make_event
from tests.web.conftest import card_ids, card_in_view, open_feed, screenshot, shopper_of, wait_for_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# live.js waits ``Math.random() * ceiling`` before a retry (full jitter), the ceilings being
# BACKOFF_BASE_MS × 1, 2, 4…; with the jitter pinned near 1 the waits are the ceilings.
JITTER = 0.999
BACKOFF_BASE_MS = 1000
RECORD_ATTEMPTS = """
    window.socketAttempts = [];
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
        constructor(...args) {
            window.socketAttempts.push(performance.now());
            super(...args);
        }
    };
"""

# The pill's face, end to end and top to bottom, is the pill's: no toast (top layer) lies over it.
# (Points inside its rounded ends: hit testing follows the border radius.)
PILL_UNCOVERED = """() => {
    const pill = document.getElementById("fresh-pill");
    const box = pill.getBoundingClientRect();
    const [middle, centre, radius] = [box.top + box.height / 2, box.left + box.width / 2, box.height / 2];
    const points = [[box.left + radius, middle], [centre, middle], [box.right - radius, middle],
                    [centre, box.top + 2], [centre, box.bottom - 2]];
    return points.every(([x, y]) => pill.contains(document.elementFromPoint(x, y)));
}"""


def wait_until(condition: Callable[[], bool], *, timeout: float = 10.0, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_new_post_by_a_followed_creator_arrives_over_the_websocket_behind_the_new_posts_pill(
    asgi_page, asgi_server, shop, media_files, size, moderation_rules
):
    """The new account's post is held by moderation's screening (its default rules); the moderator's
    approval (``content_publish``) pushes it."""
    world = shop(3)
    page = asgi_page(size)
    open_feed(page)
    shopper = shopper_of(page)
    wait_until(lambda: shopper.pk in presence.connected_shoppers(), what="the page's socket")
    first = page.locator("article.card[data-id]").first
    creator = next(item.creator for item in world.items if item.pk == card_ids(page)[0])
    with page.expect_response(f"**/api/v1/creators/{creator.pk}/follow"):
        first.get_by_role("button", name=f"Follow @{creator.handle}").click()
    assert list(Follow.objects.filter(shopper=shopper).values_list("creator_id", flat=True)) == [creator.pk]
    before = card_ids(page)
    item = content_submit(
        item=content_create(
            kind=ContentItem.Kind.IMAGE,
            creator=creator,
            caption="Just in: the summer glow kit",
            products=[ProductFactory(title="Summer glow kit", stock=3)],
            media_name=media_files.images[1],
            media_width=360,
            media_height=640,
        )
    )

    # The creator's publish runs the real hook: ranking.push → channel layer → hub → this socket.
    asgi_server.call(content_publish, item=item)

    pill = page.locator("#fresh-pill")
    pill.wait_for(state="visible")
    assert card_ids(page) == [item.pk, *before]
    assert card_in_view(page) == before[0]  # nothing moves under the shopper until they ask
    fresh = page.evaluate("id => document.querySelector(`article.card[data-id='${id}']`).feedCard", item.pk)
    assert (fresh["reason"]["code"], fresh["following"], fresh["caption"]) == (
        "followed",
        True,
        "Just in: the summer glow kit",
    )
    screenshot(page, "fresh-pill")
    assert page.evaluate(PILL_UNCOVERED)
    pill.click()
    wait_for_card(page, item.pk)
    assert pill.is_hidden()


@pytest.mark.parametrize("shared", [False, True], ids=["feed", "shared-card"])
def test_likes_by_other_shoppers_move_the_count_of_the_card_on_screen(asgi_page, asgi_server, shop, shared):
    world = shop(2)
    page = asgi_page("phone")
    open_feed(page)
    if shared:  # /c/<id>: the same page, the shared card first
        page.goto(f"/c/{world.items[1].pk}")
        page.wait_for_selector("article.card[data-id]")
        assert card_ids(page)[0] == world.items[1].pk
    on_screen = card_ids(page)[0]
    like = page.locator(f"article.card[data-id='{on_screen}'] [data-action='like']")
    assert like.get_attribute("aria-label") == "Like, 0 likes"

    async def watched() -> bool:
        return f"item.{on_screen}" in hub().members

    wait_until(lambda: asgi_server.run(watched), what="the page to watch its card")
    others = [ShopperFactory(user=None) for _ in range(2)]
    for other in others:
        like_create(shopper=other, content=ContentItem.objects.get(pk=on_screen))
        events = [make_event(on_screen, "like")]
        assert events_ingest(shopper=other, raw_events=events, user_agent=BROWSER_UA).accepted == 1

    # The event consumer's after-batch hook pushes the counts to the sockets watching the item.
    asgi_server.call(lambda: EventConsumer(name="web-tests", block_ms=0).drain())

    page.wait_for_function(
        "id => document.querySelector(`article.card[data-id='${id}'] [data-count='like']`).textContent === '2'",
        arg=on_screen,
    )
    assert like.get_attribute("aria-label") == "Like, 2 likes"
    assert like.get_attribute("aria-pressed") == "false"


def test_without_a_websocket_the_feed_works_and_live_js_retries_with_growing_waits(new_page, shop):
    # pytest-django's live server is WSGI: every handshake to /ws/feed/ fails (a 404).
    shop(2)
    page = new_page("phone")
    page.context.add_init_script(f"Math.random = () => {JITTER};" + RECORD_ATTEMPTS)

    open_feed(page)
    page.wait_for_function("() => window.socketAttempts.length >= 3", timeout=15_000)

    attempts = page.evaluate("() => window.socketAttempts")
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    # Lower bounds only (a busy machine may add to a wait, never take from it), 1 % for clock skew.
    assert gaps[0] >= 0.99 * JITTER * BACKOFF_BASE_MS
    assert gaps[1] >= 0.99 * JITTER * BACKOFF_BASE_MS * 2
    assert len(card_ids(page)) == 2
    # The fixture fails the test if the page had a script error.


def _remove(item: ContentItem) -> list[int]:
    content_remove(item=item, reason="Counterfeit")
    return [item.pk]


def _block_creator(item: ContentItem) -> list[int]:
    creator_block(creator=item.creator, by=None, reason="Counterfeit goods")
    return list(ContentItem.objects.filter(creator=item.creator).values_list("pk", flat=True))


@pytest.mark.parametrize("take_down", [_remove, _block_creator], ids=["item-removed", "creator-blocked"])
def test_an_open_page_loses_the_card_when_a_moderator_takes_it_down(asgi_page, asgi_server, shop, take_down):
    shop(6)  # 3 creators, 2 posts each
    page = asgi_page("phone")
    open_feed(page)
    shopper = shopper_of(page)
    wait_until(lambda: shopper.pk in presence.connected_shoppers(), what="the page's socket")
    ids = card_ids(page)
    in_view = ids[0]

    # The moderator's decision runs the real hook after commit: ranking.push → hub → this socket.
    gone = asgi_server.call(take_down, ContentItem.objects.get(pk=in_view))

    page.wait_for_function("id => !document.querySelector(`article.card[data-id='${id}']`)", arg=in_view)
    left = len(ids) - len(gone)
    page.wait_for_function("n => document.querySelectorAll('article.card[data-id]').length === n", arg=left)
    assert card_ids(page) == [pk for pk in ids if pk not in gone]
    assert card_in_view(page) == card_ids(page)[0]  # the next card took its place
    # A later page, or a push of the same item, never draws it again on this page.
    again = "id => window.feedsite.insertFresh([{...document.querySelector('article.card').feedCard, id}])"
    page.evaluate(again, in_view)
    assert in_view not in card_ids(page)
