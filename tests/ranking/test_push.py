"""Live pushes (ranking.push) from the services that trigger them to a socket of the real ASGI app."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async

from content import signals as content_signals
from content.models import ContentItem
from content.selectors import items_for_cards
from content.services import content_hide, content_publish, content_remove, product_upsert
from moderation.services import creator_block
from profiles.events import meta, state
from profiles.events.consumer import EventConsumer
from profiles.events.ingest import events_ingest
from profiles.events.selectors import CardSocial
from profiles.services import like_create
from profiles.shop.cart import cart_line_add
from ranking import catalog, push
from ranking.cards import card as card_of_the_feed_api
from ranking.feed import fresh_cards_for
from tests.factories import (
    ContentItemFactory,
    CreatorFactory,
    FeedRequestFactory,
    FollowFactory,
    InteractionFactory,
    ProductFactory,
    ShopperFactory,
    TagFactory,
)
from tests.profiles.events.conftest import BROWSER_UA, make_event, stream_event
from tests.ranking.sockets import run, socket, visitor_headers, watch

pytestmark = pytest.mark.django_db


def _visitor():
    return ShopperFactory(user=None)


# --- payloads: one test per typed payload ---------------------------------------------------------


def test_fresh_payload_carries_the_cards_as_the_feed_api_shapes_them():
    item = ContentItemFactory(tags=[TagFactory(slug="linen", name="Linen")])
    cards = fresh_cards_for({1: "followed"}, [item.pk])[1]

    assert push.fresh_payload(cards) == {"type": "feed.fresh", "cards": cards}
    (card,) = cards
    assert (card["id"], card["position"]) == (item.pk, 0)
    assert card["tags"] == [{"slug": "linen", "name": "Linen", "kind": "topic"}]
    assert card["reason"] == {"code": "followed", "text": "New from a creator you follow"}
    assert (card["counts"], card["liked"], card["following"]) == ({"likes": 0, "comments": 0, "shares": 0}, False, True)
    api_card = card_of_the_feed_api(items_for_cards([item.pk])[0], position=0, reason={"code": "fresh", "text": ""})
    assert card.keys() == api_card.keys()


def test_counts_payload_carries_what_the_card_counts():
    counts = CardSocial(likes=3, comments=4, shares=2, liked=True, following=True)

    assert push.counts_payload(7, counts) == {"type": "counts", "item": 7, "likes": 3, "comments": 4, "shares": 2}


@pytest.mark.parametrize(
    ("kind", "text"),
    [("price_drop", "Linen shirt is now 29.00 EUR"), ("back_in_stock", "Linen shirt is back in stock")],
)
def test_notice_payload(kind, text):
    product = ProductFactory(title="Linen shirt", price=Decimal("29.00"))

    assert push.notice_payload(product, kind=kind) == {
        "type": "notice",
        "kind": kind,
        "product": product.pk,
        "title": "Linen shirt",
        "price": "29.00",
        "text": text,
    }


# --- feed.fresh -----------------------------------------------------------------------------------


def test_a_connected_follower_gets_the_item_when_its_creator_publishes(django_capture_on_commit_callbacks):
    creator = CreatorFactory()
    follower, stranger = _visitor(), _visitor()
    FollowFactory(shopper=follower, creator=creator)
    item = ContentItemFactory(creator=creator, status=ContentItem.Status.PENDING, published_at=None)

    def publish() -> int:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            content_publish(item=item)
        return len(callbacks)

    async def scenario():
        async with socket(visitor_headers(follower)) as ws, socket(visitor_headers(stranger)) as other:
            committed = await sync_to_async(publish)()
            received = await ws.receive_json_from(timeout=5)
            stranger_quiet = await other.receive_nothing(timeout=0.2)
        return committed, received, stranger_quiet

    committed, received, stranger_quiet = run(scenario)

    assert committed == 1
    assert received["type"] == "feed.fresh"
    assert [card["id"] for card in received["cards"]] == [item.pk]
    assert received["cards"][0]["reason"]["code"] == "followed"
    assert stranger_quiet


def test_nothing_is_pushed_before_the_publish_commits():
    creator = CreatorFactory()
    follower = _visitor()
    FollowFactory(shopper=follower, creator=creator)
    item = ContentItemFactory(creator=creator, status=ContentItem.Status.PENDING, published_at=None)

    async def scenario():
        async with socket(visitor_headers(follower)) as ws:
            # The test's transaction never commits: on_commit callbacks never run.
            await sync_to_async(content_publish)(item=item)
            return await ws.receive_nothing(timeout=0.3)

    assert run(scenario)


@pytest.mark.parametrize("had_it", ["served", "interacted"])
def test_a_shopper_never_gets_an_item_already_served_to_them(had_it):
    creator = CreatorFactory()
    item = ContentItemFactory(creator=creator)
    already, fresh = _visitor(), _visitor()
    for shopper in (already, fresh):
        FollowFactory(shopper=shopper, creator=creator)
    if had_it == "served":
        FeedRequestFactory(shopper=already, items=[item.pk - 1, item.pk])
    else:
        InteractionFactory(shopper=already, content=item, type="view")

    async def scenario():
        async with socket(visitor_headers(already)) as a, socket(visitor_headers(fresh)) as f:
            told = await sync_to_async(push.fresh_item_announce)(item_id=item.pk)
            received = await f.receive_json_from(timeout=5)
            # The same fan-out reached `fresh`: anything for `already` would be here by now.
            already_quiet = await a.receive_nothing(timeout=0.2)
        return told, received, already_quiet

    told, received, already_quiet = run(scenario)

    assert told == 1
    assert [card["id"] for card in received["cards"]] == [item.pk]
    assert already_quiet


def test_announcing_twice_tells_nobody_twice():
    creator = CreatorFactory()
    item = ContentItemFactory(creator=creator)
    follower = _visitor()
    FollowFactory(shopper=follower, creator=creator)

    async def scenario():
        async with socket(visitor_headers(follower)) as ws:
            first = await sync_to_async(push.announce_item.apply)(args=[item.pk])
            received = await ws.receive_json_from(timeout=5)
            second = await sync_to_async(push.announce_item.apply)(args=[item.pk])
            quiet = await ws.receive_nothing(timeout=0.3)
        return first.get(), received["type"], second.get(), quiet

    assert run(scenario) == (1, "feed.fresh", 0, True)


def test_a_shopper_whose_affinities_match_the_item_gets_it_unless_personalization_is_off():
    tag = TagFactory()
    liked = ContentItemFactory(tags=[tag])
    item = ContentItemFactory(tags=[tag])
    fan, opted_out, cold = _visitor(), ShopperFactory(user=None, personalization=False), _visitor()
    now = time.time()
    events = [stream_event(s.pk, liked.pk, "add_to_cart", now) for s in (fan, opted_out)]
    state.apply_events(events, meta.item_meta([liked.pk]))

    async def scenario():
        async with (
            socket(visitor_headers(fan)) as f,
            socket(visitor_headers(opted_out)) as o,
            socket(visitor_headers(cold)) as c,
        ):
            told = await sync_to_async(push.fresh_item_announce)(item_id=item.pk)
            received = await f.receive_json_from(timeout=5)
            quiet = [await o.receive_nothing(timeout=0.2), await c.receive_nothing(timeout=0.1)]
        return told, received, quiet

    told, received, quiet = run(scenario)

    assert told == 1
    assert received["cards"][0]["id"] == item.pk
    assert received["cards"][0]["reason"]["code"] == "interest"
    assert quiet == [True, True]


def test_a_large_audience_gets_one_fanout_that_reaches_only_its_shoppers(monkeypatch):
    monkeypatch.setattr(push, "FANOUT_BROADCAST_MIN", 2)
    creator = CreatorFactory()
    item = ContentItemFactory(creator=creator)
    followers = [_visitor(), _visitor()]
    for shopper in followers:
        FollowFactory(shopper=shopper, creator=creator)
    stranger = _visitor()
    sent: list[list[tuple[str, dict]]] = []
    send = push.group_send_many
    monkeypatch.setattr(push, "group_send_many", lambda messages: sent.append(list(messages)) or send(messages))

    async def scenario():
        async with (
            socket(visitor_headers(followers[0])) as a,
            socket(visitor_headers(followers[1])) as b,
            socket(visitor_headers(stranger)) as s,
        ):
            await sync_to_async(push.fresh_item_announce)(item_id=item.pk)
            received = [await a.receive_json_from(timeout=5), await b.receive_json_from(timeout=5)]
            stranger_quiet = await s.receive_nothing(timeout=0.2)
        return received, stranger_quiet

    received, stranger_quiet = run(scenario)

    assert [[group for group, _ in batch] for batch in sent] == [["feed.all"]]
    assert [[card["id"] for card in message["cards"]] for message in received] == [[item.pk], [item.pk]]
    assert stranger_quiet


def test_a_creator_with_many_followers_is_announced_by_the_task(monkeypatch):
    monkeypatch.setattr(push, "ANNOUNCE_INLINE_FOLLOWERS_MAX", 1)
    creator = CreatorFactory()
    item = ContentItemFactory(creator=creator)
    for _ in range(2):
        FollowFactory(creator=creator)
    queued: list[int] = []
    monkeypatch.setattr(push.announce_item, "delay", queued.append)
    monkeypatch.setattr(push, "fresh_item_announce", lambda **kwargs: pytest.fail("announced inline"))

    push.fresh_item_published(item.pk)

    assert queued == [item.pk]


def test_nobody_online_means_nothing_to_announce():
    creator = CreatorFactory()
    item = ContentItemFactory(creator=creator)
    FollowFactory(creator=creator)

    assert push.fresh_item_announce(item_id=item.pk) == 0


# --- counts ---------------------------------------------------------------------------------------


def test_a_watched_item_gets_its_counts_once_the_consumer_stored_a_like_and_a_share():
    item, unwatched = ContentItemFactory(), ContentItemFactory()
    shopper = _visitor()

    def like_share_and_consume() -> None:
        like_create(shopper=shopper, content=item)
        events = [make_event(item.pk, "like"), make_event(item.pk, "share"), make_event(unwatched.pk, "like")]
        assert events_ingest(shopper=shopper, raw_events=events, user_agent=BROWSER_UA).accepted == 3
        EventConsumer(name="test-consumer", block_ms=0).drain()

    async def scenario():
        async with socket(visitor_headers(shopper)) as ws:
            await watch(ws, item.pk)
            await sync_to_async(like_share_and_consume)()
            received = await ws.receive_json_from(timeout=5)
            quiet = await ws.receive_nothing(timeout=0.2)
        return received, quiet

    received, quiet = run(scenario)

    assert received == {"type": "counts", "item": item.pk, "likes": 1, "comments": 0, "shares": 1}
    assert quiet


def test_counts_are_pushed_at_most_once_per_interval_and_the_held_one_follows(monkeypatch):
    monkeypatch.setattr(push, "COUNTS_INTERVAL_MS", 300)
    item, other = ContentItemFactory(), ContentItemFactory()
    watcher = _visitor()
    likers = [_visitor() for _ in range(3)]

    def like(*shoppers) -> None:
        for shopper in shoppers:
            like_create(shopper=shopper, content=item)
        push.counts_after_batch({item.pk: frozenset({"like"})})

    async def scenario():
        async with socket(visitor_headers(watcher)) as ws:
            await watch(ws, item.pk)
            await sync_to_async(like)(likers[0])
            first = await ws.receive_json_from(timeout=5)
            await sync_to_async(like)(*likers[1:])  # within the interval: held back
            held = await ws.receive_nothing(timeout=0.2)
            await asyncio.sleep(0.15)
            # The next batch, about another item, brings the held item's counts as they are now.
            await sync_to_async(push.counts_after_batch)({other.pk: frozenset({"view"})})
            follow_up = await ws.receive_json_from(timeout=5)
        return first["likes"], held, follow_up["likes"]

    assert run(scenario) == (1, True, 3)


def test_a_batch_of_views_pushes_no_counts(monkeypatch):
    item = ContentItemFactory()
    sent: list = []
    monkeypatch.setattr(push, "group_send_many", sent.append)

    push.counts_after_batch({item.pk: frozenset({"view", "impression", "dwell"})})

    assert sent == []


# --- notice ---------------------------------------------------------------------------------------


def _upsert(product, *, price: Decimal, stock: int) -> None:
    product_upsert(external_id=product.external_id, title=product.title, price=price, stock=stock)


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        pytest.param([(Decimal("29.00"), 5)], "price_drop", id="cheaper"),
        pytest.param([(Decimal("40.00"), 0), (Decimal("40.00"), 3)], "back_in_stock", id="sold-out-then-back"),
    ],
)
def test_a_shopper_with_the_product_in_cart_gets_a_notice(django_capture_on_commit_callbacks, changes, kind):
    product = ProductFactory(title="Linen shirt", price=Decimal("40.00"), stock=5)
    holder, other = _visitor(), _visitor()
    cart_line_add(shopper=holder, product=product)

    def change() -> None:
        for price, stock in changes:
            with django_capture_on_commit_callbacks(execute=True):
                _upsert(product, price=price, stock=stock)

    async def scenario():
        async with socket(visitor_headers(holder)) as ws, socket(visitor_headers(other)) as o:
            await sync_to_async(change)()
            received = await ws.receive_json_from(timeout=5)
            quiet = [await ws.receive_nothing(timeout=0.2), await o.receive_nothing(timeout=0.1)]
        return received, quiet

    received, quiet = run(scenario)

    price = changes[-1][0]
    text = "Linen shirt is now 29.00 EUR" if kind == "price_drop" else "Linen shirt is back in stock"
    assert received == {
        "type": "notice",
        "kind": kind,
        "product": product.pk,
        "title": "Linen shirt",
        "price": str(price),
        "text": text,
    }
    assert quiet == [True, True]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ((Decimal("29.00"), 5), (Decimal("35.00"), 5)),  # dearer
        ((Decimal("29.00"), 5), (Decimal("29.00"), 9)),  # restocked while in stock
        ((Decimal("40.00"), 5), (Decimal("29.00"), 0)),  # cheaper but sold out
    ],
)
def test_no_notice_for_a_change_that_is_not_news(monkeypatch, django_capture_on_commit_callbacks, before, after):
    product = ProductFactory(price=before[0], stock=before[1])
    cart_line_add(shopper=_visitor(), product=product)
    sent: list = []
    monkeypatch.setattr(push, "group_send_many", sent.append)

    announced: list = []

    def record(sender, product_id, **kwargs):
        announced.append(product_id)

    content_signals.product_changed.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _upsert(product, price=after[0], stock=after[1])
    finally:
        content_signals.product_changed.disconnect(record)

    # the change was announced (``push.product_changed`` receives it too); the push found it no news
    assert announced == [product.pk]
    assert sent == []


# --- feed.removed ---------------------------------------------------------------------------------


def test_removed_payload_names_the_item():
    assert push.removed_payload(42) == {"type": "feed.removed", "item_id": 42}


def _hide(item: ContentItem) -> None:
    content_hide(item=item, reason="Reported by several shoppers")


@pytest.mark.parametrize("withdraw", [content_remove, _hide], ids=["removed", "hidden"])
def test_every_open_socket_gets_feed_removed_once_the_withdrawal_commits(django_capture_on_commit_callbacks, withdraw):
    item, other = ContentItemFactory(), ContentItemFactory()
    first, second = _visitor(), _visitor()
    catalog.catalog()  # this process's snapshot, built while the item was served

    def take_down() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            withdraw(item=item)

    async def scenario():
        async with socket(visitor_headers(first)) as a, socket(visitor_headers(second)) as b:
            await watch(a, other.pk)  # watching other cards or none: every page gets it
            await sync_to_async(take_down)()
            received = [await a.receive_json_from(timeout=5), await b.receive_json_from(timeout=5)]
            quiet = [await a.receive_nothing(timeout=0.2), await b.receive_nothing(timeout=0.1)]
        return received, quiet

    received, quiet = run(scenario)

    assert received == [{"type": "feed.removed", "item_id": item.pk}] * 2
    assert quiet == [True, True]
    assert set(catalog.catalog().servable) == {other.pk}


def test_nothing_is_pushed_before_the_removal_commits():
    item = ContentItemFactory()
    shopper = _visitor()

    async def scenario():
        async with socket(visitor_headers(shopper)) as ws:
            # The test's transaction never commits: on_commit callbacks never run.
            await sync_to_async(content_remove)(item=item)
            return await ws.receive_nothing(timeout=0.3)

    assert run(scenario)


def test_blocking_a_creator_takes_their_published_items_off_open_pages(django_capture_on_commit_callbacks):
    creator = CreatorFactory()
    shown = [ContentItemFactory(creator=creator), ContentItemFactory(creator=creator)]
    ContentItemFactory(creator=creator, status=ContentItem.Status.PENDING, published_at=None)
    ContentItemFactory()  # another creator's
    shopper = _visitor()

    def block() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            creator_block(creator=creator, by=None, reason="Counterfeit goods")

    async def scenario():
        async with socket(visitor_headers(shopper)) as ws:
            await sync_to_async(block)()
            received = [await ws.receive_json_from(timeout=5) for _ in shown]
            quiet = await ws.receive_nothing(timeout=0.2)
        return received, quiet

    received, quiet = run(scenario)

    assert received == [{"type": "feed.removed", "item_id": item.pk} for item in sorted(shown, key=lambda i: i.pk)]
    assert quiet


def test_a_withdrawal_costs_one_channel_layer_message_whatever_the_number_of_items(monkeypatch):
    sent: list[list[tuple[str, dict]]] = []
    monkeypatch.setattr(push, "group_send_many", lambda messages: sent.append(list(messages)))

    assert push.items_withdrawn([9, 7, 9]) == 2
    assert push.items_withdrawn([]) == 0

    assert sent == [
        [
            (
                "feed.all",
                {
                    "type": "push.all",
                    "texts": ['{"type":"feed.removed","item_id":7}', '{"type":"feed.removed","item_id":9}'],
                    "withdrawn": [7, 9],
                },
            )
        ]
    ]


def test_a_process_holding_sockets_drops_the_withdrawn_items_from_its_snapshot_when_the_broadcast_arrives():
    item, other = ContentItemFactory(), ContentItemFactory()
    shopper = _visitor()
    catalog.catalog()
    text = f'{{"type":"feed.removed","item_id":{item.pk}}}'
    # As another process sends it: this one's snapshot is left to the hub.
    message = {"type": "push.all", "texts": [text], "withdrawn": [item.pk]}

    async def scenario():
        async with socket(visitor_headers(shopper)) as ws:
            await sync_to_async(push.group_send_many)([("feed.all", message)])
            return await ws.receive_from(timeout=5)

    received = run(scenario)

    assert received == text
    assert set(catalog.catalog().servable) == {other.pk}
