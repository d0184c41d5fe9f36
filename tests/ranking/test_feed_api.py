import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.models import ContentItem, ContentMedia, Product, Tag
from content.services import product_upsert
from profiles.events import state
from profiles.events.consumer import EventConsumer
from profiles.models import Shopper
from ranking import feed
from ranking.cards import card_bodies
from ranking.feed import REASONS, _named_once, reason_text, short_name
from ranking.models import FeedRequest
from ranking.serving import Because
from tests.factories import (
    CommentFactory,
    ContentItemFactory,
    FollowFactory,
    InteractionFactory,
    InterestFactory,
    LikeFactory,
    ProductFactory,
    TagFactory,
)
from tests.profiles.conftest import visitor_of
from tests.profiles.events.conftest import BROWSER_UA, make_event

pytestmark = pytest.mark.django_db


def _published(n: int) -> list[ContentItem]:
    now = timezone.now()
    return [ContentItemFactory(published_at=now - timedelta(minutes=i), engagement=(i * 7) % 11) for i in range(n)]


def _scroll(client, limit: int) -> tuple[list[int], list[dict]]:
    ids: list[int] = []
    pages: list[dict] = []
    cursor = None
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/feed", params).json()
        pages.append(body)
        ids += [card["id"] for card in body["cards"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages


def test_card_has_the_contract_fields(api_client):
    product = ProductFactory(title="Glow serum", stock=0)
    cream = ProductFactory(title="Night cream", price=Decimal("31.00"), stock=4)
    tag = TagFactory(slug="skin", name="Skin")
    item = ContentItemFactory(caption="My routine", products=[product, cream], tags=[tag])

    body = api_client.get("/api/v1/feed").json()

    (card,) = body["cards"]
    assert card["id"] == item.pk
    assert card["kind"] == "image"
    assert card["source"] == "ugc"
    assert card["caption"] == "My routine"
    assert card["creator"]["handle"] == item.creator.handle
    assert card["tags"] == [{"slug": "skin", "name": "Skin", "kind": "topic"}]
    # What can be bought leads the card; the sold-out product follows, marked.
    assert card["products"] == [
        {"id": cream.pk, "title": "Night cream", "price": "31.00", "currency": "EUR", "in_stock": True},
        {"id": product.pk, "title": "Glow serum", "price": "19.90", "currency": "EUR", "in_stock": False},
    ]
    assert card["reason"]["code"] in {"popular", "fresh"}
    assert set(card["media"]) == {"url", "poster", "type", "width", "height", "duration_ms", "srcset"}
    assert card["gallery"] == []
    assert body["request_id"]
    assert body["next_cursor"] is None


def test_a_carousel_card_shows_every_processed_image_in_order_with_its_resized_copies(api_client):
    item = ContentItemFactory(media="media/a.webp", media_width=1080, media_height=1350)
    for position in (1, 0, 2):
        ContentMedia.objects.create(
            item=item,
            position=position,
            kind="image",
            original=f"originals/{position}.jpg",
            original_type="image/jpeg",
            file=f"media/{position}.webp",
            file_type="image/webp",
            width=1080,
            height=1350,
            variants=[{"width": 480, "name": f"media/{position}-480.webp"}],
            processed_at=timezone.now(),
        )
    # Still being processed: never shown, and its original has no URL at all.
    ContentMedia.objects.create(
        item=item, position=3, kind="image", original="originals/3.jpg", original_type="image/jpeg"
    )

    (card,) = api_client.get("/api/v1/feed").json()["cards"]

    assert [image["url"] for image in card["gallery"]] == [
        "/media/media/0.webp",
        "/media/media/1.webp",
        "/media/media/2.webp",
    ]
    assert card["gallery"][1]["srcset"] == [{"width": 480, "url": "/media/media/1-480.webp"}]
    assert card["gallery"][0]["type"] == "image/webp"
    assert card["media"]["type"] == "image/webp"
    assert card["media"]["srcset"] == [{"width": 480, "url": "/media/media/0-480.webp"}]


@pytest.mark.parametrize("limit", [1, 3, 7, 25])
def test_scrolling_serves_every_published_card_exactly_once(api_client, limit):
    items = _published(25)
    ContentItemFactory(status=ContentItem.Status.PENDING, published_at=None)
    ContentItemFactory(status=ContentItem.Status.REMOVED)

    ids, pages = _scroll(api_client, limit)

    assert sorted(ids) == sorted(item.pk for item in items)
    assert len(ids) == len(set(ids))
    assert all(len(page["cards"]) == limit for page in pages[:-1])


def test_a_card_published_mid_scroll_is_not_skipped_and_nothing_repeats(api_client):
    _published(6)
    first = api_client.get("/api/v1/feed", {"limit": 3}).json()
    late = ContentItemFactory(published_at=timezone.now() + timedelta(seconds=1))

    ids = [card["id"] for card in first["cards"]]
    cursor = first["next_cursor"]
    while cursor:
        page = api_client.get("/api/v1/feed", {"limit": 3, "cursor": cursor}).json()
        ids += [card["id"] for card in page["cards"]]
        cursor = page["next_cursor"]

    assert late.pk in ids
    assert len(ids) == len(set(ids)) == 7


def test_items_the_shopper_already_interacted_with_are_not_served(api_client):
    seen, unseen = _published(2)
    api_client.get("/api/v1/feed")
    shopper = visitor_of(api_client)
    InteractionFactory(shopper=shopper, content=seen)

    body = api_client.get("/api/v1/feed").json()

    assert [card["id"] for card in body["cards"]] == [unseen.pk]


def test_each_page_is_logged_with_its_items_in_order(api_client):
    _published(4)

    body = api_client.get("/api/v1/feed", {"limit": 3}).json()

    log = FeedRequest.objects.get(request_id=body["request_id"])
    assert log.items == [card["id"] for card in body["cards"]]
    assert log.reasons == [card["reason"]["code"] for card in body["cards"]]
    assert log.page == 0


@pytest.mark.parametrize("n_items", [3, 30])
def test_query_count_does_not_grow_with_the_page(api_client, n_items):
    for item in _published(n_items):
        item.products.add(ProductFactory())
        item.tags.add(TagFactory())
    api_client.get("/api/v1/feed", {"limit": 1})
    visitor_of(api_client)  # the shopper its first write would create

    with CaptureQueriesContext(connection) as queries:
        body = api_client.get("/api/v1/feed", {"limit": n_items}).json()

    assert len(body["cards"]) == n_items
    # shopper, seen items, onboarding interests (cold start), two candidate lists, like and comment
    # counts with the shopper's own like and follows (which also tells which items are still
    # published), card bodies not cached yet (items, products, tags, processed media files),
    # served-list log (share counts come from the real-time store, no query)
    assert len(queries) == 11, [q["sql"] for q in queries]


@pytest.mark.parametrize(
    ("params", "code"),
    [({"cursor": "forged"}, "invalid_cursor"), ({"limit": 0}, "invalid"), ({"limit": 51}, "invalid")],
)
def test_bad_query_is_refused_with_a_reason(api_client, params, code):
    response = api_client.get("/api/v1/feed", params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert FeedRequest.objects.count() == 0


def test_pagination_holds_when_the_realtime_store_is_down(api_client, realtime_down):
    items = _published(7)

    ids, _ = _scroll(api_client, 3)

    assert sorted(ids) == sorted(item.pk for item in items)
    assert len(ids) == len(set(ids))


def test_card_counts_and_the_shoppers_own_like_and_follow(api_client):
    item = ContentItemFactory()
    api_client.get("/api/v1/feed", {"limit": 1})  # serves the item
    shopper = visitor_of(api_client)
    LikeFactory(shopper=shopper, content=item)
    LikeFactory(content=item)
    CommentFactory(content=item)
    FollowFactory(shopper=shopper, creator=item.creator)

    body = api_client.get("/api/v1/feed").json()

    (card,) = body["cards"]
    assert card["counts"] == {"likes": 2, "comments": 1, "shares": 0}
    assert (card["liked"], card["following"]) == (True, True)


def test_a_new_shopper_sees_their_interests_first_until_they_engage(api_client):
    beauty = TagFactory(slug="cat-beauty")
    now = timezone.now()
    popular = ContentItemFactory(engagement=50, published_at=now)
    tagged = [ContentItemFactory(tags=[beauty], engagement=n, published_at=now - timedelta(hours=n)) for n in (1, 2)]
    api_client.get("/api/v1/feed", {"limit": 1})
    shopper = visitor_of(api_client)
    InterestFactory(shopper=shopper, tag=beauty)
    FeedRequest.objects.all().delete()

    cold = api_client.get("/api/v1/feed").json()["cards"]
    InteractionFactory(shopper=shopper, content=ContentItemFactory(status=ContentItem.Status.REMOVED), type="like")
    warm = api_client.get("/api/v1/feed").json()["cards"]

    assert [(c["id"], c["reason"]["code"]) for c in cold] == [
        (tagged[1].pk, "interest"),
        (tagged[0].pk, "interest"),
        (popular.pk, "popular"),
    ]
    assert cold[0]["reason"]["text"] == "Matches the interests you picked"
    assert warm[0]["id"] == popular.pk
    assert {c["reason"]["code"] for c in warm} <= {"popular", "fresh"}


def test_a_post_whose_products_are_all_sold_out_is_not_served_until_one_is_back(api_client):
    """No ranker here: the popular and fresh fallback applies the catalog's rule too."""
    serum = ProductFactory(title="Serum", stock=0)
    sold_out = ContentItemFactory(products=[serum, ProductFactory(title="Toner", stock=5, active=False)])
    mixed = ContentItemFactory(products=[ProductFactory(title="Gone", stock=0), ProductFactory(title="Here", stock=2)])
    plain = ContentItemFactory()

    first = api_client.get("/api/v1/feed", {"limit": 10}).json()
    Product.objects.filter(pk=serum.pk).update(stock=3)
    again = Client().get("/api/v1/feed", {"limit": 10}).json()  # another shopper, after the restock

    assert {c["id"] for c in first["cards"]} == {mixed.pk, plain.pk}
    (card,) = [c for c in first["cards"] if c["id"] == mixed.pk]
    assert [(p["title"], p["in_stock"]) for p in card["products"]] == [("Here", True), ("Gone", False)]
    assert {c["id"] for c in again["cards"]} == {sold_out.pk, mixed.pk, plain.pk}


def test_card_bodies_are_reused_but_a_removed_item_is_dropped_at_once(api_client):
    items = _published(4)
    for item in items:
        item.products.add(ProductFactory())
    first = api_client.get("/api/v1/feed", {"limit": 4}).json()
    items[0].status = ContentItem.Status.REMOVED
    items[0].save()

    with CaptureQueriesContext(connection) as queries:
        second = api_client.get("/api/v1/feed", {"limit": 4}).json()  # a new feed session: the same items again

    assert {c["id"] for c in first["cards"]} == {item.pk for item in items}
    assert {c["id"] for c in second["cards"]} == {item.pk for item in items[1:]}
    # Bodies came from the cache: no card's products were read (the page's own query counts sold-out ones).
    assert not [q["sql"] for q in queries if q["sql"].startswith('SELECT "content_contentproduct"')]
    products = {c["id"]: c["products"] for c in first["cards"]}
    assert all(c["products"] == products[c["id"]] for c in second["cards"])


def test_a_product_sold_out_by_another_process_is_not_offered_from_this_process_cache(api_client):
    items = _published(2)
    serum, balm, cream = (ProductFactory(title=title, stock=3) for title in ("Serum", "Balm", "Cream"))
    items[0].products.add(serum)
    items[0].products.add(balm, through_defaults={"position": 1})
    items[1].products.add(cream)

    def offered(page: dict) -> dict[int, list[tuple[str, bool]]]:
        return {c["id"]: [(p["title"], p["in_stock"]) for p in c["products"]] for c in page["cards"]}

    first = api_client.get("/api/v1/feed", {"limit": 2}).json()
    # Another web process's catalog sync: the row changes, this process's card cache hears nothing.
    Product.objects.filter(pk=serum.pk).update(stock=0)
    second = api_client.get("/api/v1/feed", {"limit": 2}).json()  # a new feed session: the same items
    Product.objects.filter(pk=serum.pk).update(stock=2, active=True)  # back in stock, elsewhere again
    third = api_client.get("/api/v1/feed", {"limit": 2}).json()

    available = {items[0].pk: [("Serum", True), ("Balm", True)], items[1].pk: [("Cream", True)]}
    assert offered(first) == available
    assert offered(second) == {items[0].pk: [("Balm", True), ("Serum", False)], items[1].pk: [("Cream", True)]}
    assert offered(third) == available


def test_a_price_change_shows_on_the_next_page_at_once(api_client, django_capture_on_commit_callbacks):
    (item,) = _published(1)
    product = product_upsert(external_id="sku-1", title="Serum", price=Decimal("20.00"), stock=5)
    item.products.add(product)
    assert api_client.get("/api/v1/feed").json()["cards"][0]["products"][0]["price"] == "20.00"

    with django_capture_on_commit_callbacks(execute=True):
        product_upsert(external_id="sku-1", title="Serum", price=Decimal("15.00"), stock=5)

    assert api_client.get("/api/v1/feed").json()["cards"][0]["products"][0]["price"] == "15.00"


@pytest.mark.django_db(transaction=True)
def test_the_served_log_commit_skips_the_flush_wait_for_its_own_statement_only(api_client):
    _published(3)
    api_client.get("/api/v1/feed", {"limit": 3})  # the visitor's shopper is created (a commit that waits)

    # The flush count is the whole server's: other work (a parallel test worker) only adds to it,
    # so the fewest flushes of three rounds is the one that tells.
    flushes, bodies, logged = [], [], []
    for _ in range(3):
        flushes_before = _wal_syncs()
        with CaptureQueriesContext(connection) as queries:
            bodies += [api_client.get("/api/v1/feed", {"limit": 3}).json() for _ in range(20)]
        flushes.append(_wal_syncs() - flushes_before)
        logged += [q["sql"] for q in queries if "INSERT INTO" in q["sql"] and "ranking_feedrequest" in q["sql"]]

    assert len(logged) == 60
    assert [FeedRequest.objects.get(request_id=body["request_id"]).items for body in bodies] == [
        [card["id"] for card in body["cards"]] for body in bodies
    ]
    if connection.vendor == "postgresql":
        # 20 commits that each waited would have flushed 20 times; the WAL writer's own few remain
        assert min(flushes) < 10
        with connection.cursor() as cursor:  # nothing written after it goes without the flush
            cursor.execute("SELECT current_setting('synchronous_commit')")
            assert cursor.fetchone() == ("on",)


def _wal_syncs() -> int:
    """The cluster's WAL flushes so far (PostgreSQL's statistics, this backend's sent first); 0 elsewhere."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT wal_sync FROM pg_stat_wal")
        return int(cursor.fetchone()[0])


def test_a_cards_reason_is_put_in_its_own_terms_where_it_has_them():
    beauty = TagFactory(name="Beauty", slug="cat-beauty", kind=Tag.Kind.CATEGORY)
    fragrance = TagFactory(name="Fragrance", slug="cat-beauty-fragrance", kind=Tag.Kind.CATEGORY, parent=beauty)
    item = ContentItemFactory(tags=[fragrance, TagFactory(name="Routine", slug="routine")])
    bare = ContentItemFactory()
    body, plain = card_bodies([item.pk, bare.pk])

    assert reason_text("trending", body) == "Trending in Beauty"  # the category's root
    assert reason_text("popular", body) == "Popular in Beauty right now"
    assert reason_text("affinity", body) == "Because you like Beauty"
    assert reason_text("followed", body) == f"New from @{item.creator.handle}, whom you follow"
    assert reason_text("trending", plain) == REASONS["trending"]  # no category: the source's own words
    assert reason_text("collaborative", body) == REASONS["collaborative"]  # no liked item to name
    assert reason_text("collaborative", body, because=plain) == f"Because you liked {plain['caption']}"
    assert reason_text("collaborative", body, because=plain, liked=False) == f"Because you viewed {plain['caption']}"


def test_an_item_is_named_by_its_product_else_the_first_line_of_its_caption_cut_at_a_word():
    card = ContentItemFactory(kind=ContentItem.Kind.PRODUCT_CARD, caption="")
    card.products.add(ProductFactory(title="Vitamin C serum"))
    long = ContentItemFactory(caption="\n  My whole morning routine, step by step, with links below\nmore")
    blank = ContentItemFactory(caption="")
    named, cut, nameless = card_bodies([card.pk, long.pk, blank.pk])

    assert short_name(named) == "Vitamin C serum"
    assert short_name(cut) == "My whole morning routine, step by step…"
    assert short_name(nameless) is None
    assert reason_text("collaborative", named, because=nameless) == REASONS["collaborative"]


def test_a_page_names_an_item_once_and_two_posts_of_one_product_are_one_name():
    serum = ProductFactory(title="Vitamin C serum")
    video, photo = ContentItemFactory(), ContentItemFactory()
    video.products.add(serum)
    photo.products.add(serum)
    other = ContentItemFactory(caption="Evening routine")
    cards = [ContentItemFactory() for _ in range(4)]
    bodies = {body["id"]: body for body in card_bodies([c.pk for c in cards] + [video.pk, photo.pk, other.pk])}
    because = {
        cards[0].pk: Because(item=video.pk, liked=True),
        cards[1].pk: Because(item=photo.pk, liked=False),  # the same product: not named again
        cards[2].pk: Because(item=other.pk, liked=False),
        cards[3].pk: Because(item=10**9, liked=True),  # no longer served: nothing to name
    }

    named = _named_once([c.pk for c in cards], because, bodies)

    assert {pk: (short_name(body), liked) for pk, (body, liked) in named.items()} == {
        cards[0].pk: ("Vitamin C serum", True),
        cards[2].pk: ("Evening routine", False),
    }


class _Stop(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_pages_asked_at_once_in_one_process_take_turns_to_rank_even_when_one_fails(monkeypatch):
    shopper = Shopper.objects.create()
    running, most, ranked = 0, 0, 0
    guard = threading.Lock()

    def rank(**kwargs):
        nonlocal running, most, ranked
        with guard:
            running, ranked = running + 1, ranked + 1
            most = max(most, running)
        time.sleep(0.05)
        with guard:
            running -= 1
        raise _Stop  # a ranking that fails lets the next one in

    monkeypatch.setattr(feed.serving, "rank", rank)
    failed: list[type[BaseException]] = []

    def ask() -> None:
        try:
            feed.feed_page(shopper=shopper, limit=3, cursor=None)
        except _Stop:
            failed.append(_Stop)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert (ranked, most, failed) == (3, 1, [_Stop] * 3)


def test_a_hidden_item_is_never_served_again_and_its_creator_and_tags_count_less():
    tag = TagFactory()
    liked = ContentItemFactory(tags=[tag])
    hidden = ContentItemFactory(creator=liked.creator, tags=[tag])
    others = _published(6)
    browser = Client(HTTP_USER_AGENT=BROWSER_UA)
    first = browser.get("/api/v1/feed", {"limit": 20}).json()
    request_id, position = first["request_id"], [card["id"] for card in first["cards"]].index(hidden.pk)
    like = make_event(liked.pk, "like")
    hide = make_event(hidden.pk, "hide", request_id=request_id, position=position)

    assert browser.post("/api/v1/events", {"events": [like]}, content_type="application/json").json()["accepted"] == 1
    EventConsumer(name="test-consumer", block_ms=0).drain()
    shopper = visitor_of(browser)
    before = state.shopper_affinities(shopper.pk)
    assert browser.post("/api/v1/events", {"events": [hide]}, content_type="application/json").json()["accepted"] == 1
    served_before_consumed, _ = _scroll(browser, 3)  # a new feed session: only the events say "not this"
    EventConsumer(name="test-consumer", block_ms=0).drain()
    after = state.shopper_affinities(shopper.pk)
    served_after_consumed, _ = _scroll(browser, 3)

    assert hidden.pk not in served_before_consumed
    assert hidden.pk not in served_after_consumed
    assert set(served_after_consumed) == {item.pk for item in others}  # the liked one is seen too
    for dim in (f"creator:{liked.creator_id}", f"tag:{tag.pk}"):
        assert before[dim] == pytest.approx(3.0, abs=0.01)
        assert after[dim] == pytest.approx(3.0 - 6.0, abs=0.01)
