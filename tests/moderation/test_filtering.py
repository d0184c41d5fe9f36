"""A creator in bad standing (blocked, or below FEED_MIN_CREATOR_REPUTATION) is served nowhere."""

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from content import selectors
from content.models import ContentItem, Tag
from content.services import content_publish
from moderation.reputation import NEUTRAL
from moderation.services import creator_block, creator_unblock
from ranking import catalog, push, serving
from ranking.candidates import live
from ranking.policy import Policy
from ranking.training import ranker_train
from tests.factories import (
    ContentItemFactory,
    CreatorFactory,
    CreatorStandingFactory,
    FollowFactory,
    InteractionFactory,
    InterestFactory,
    ProductFactory,
    ShopperFactory,
    TagFactory,
    UserFactory,
)
from tests.ranking.sockets import run, socket, visitor_headers

pytestmark = pytest.mark.django_db
OPEN = Policy(max_same_creator_in_row=0, max_same_kind_in_row=0, min_creator_spacing=0)


@pytest.fixture
def decide(django_capture_on_commit_callbacks):
    """Block or unblock as the admin does: the decision commits (its on-commit callbacks run)."""

    def decide_(creator, *, blocked: bool) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            if blocked:
                creator_block(creator=creator, by=UserFactory(), reason="test")
            else:
                creator_unblock(creator=creator, by=UserFactory())

    return decide_


def _ids(items) -> set[int]:
    return {item.pk for item in items}


# The rule, in the selectors every surface reads through.


@pytest.mark.parametrize(
    ("standing", "served"),
    [
        (None, True),  # never judged: neutral
        ({"reputation": NEUTRAL}, True),
        ({"reputation": 0.2}, True),  # at the bar
        ({"reputation": 0.19}, False),
        ({"reputation": 0.9, "blocked": True}, False),
    ],
)
def test_published_serves_creators_in_good_standing_only(standing, served):
    creator = CreatorStandingFactory(**standing).creator if standing else CreatorFactory()
    item = ContentItemFactory(creator=creator)
    card = ContentItemFactory(kind=ContentItem.Kind.PRODUCT_CARD, creator=None)  # no creator to judge

    expected = {card.pk, item.pk} if served else {card.pk}
    assert _ids(selectors.published()) == expected
    assert selectors.published_ids({item.pk, card.pk}) == expected
    assert _ids(selectors.items_for_cards([item.pk, card.pk])) == expected


def test_a_bar_above_neutral_also_keeps_out_creators_nobody_has_judged(settings):
    settings.FEED_MIN_CREATOR_REPUTATION = 0.6
    unjudged = ContentItemFactory()
    trusted = ContentItemFactory(creator=CreatorStandingFactory(reputation=0.7).creator)
    card = ContentItemFactory(kind=ContentItem.Kind.PRODUCT_CARD, creator=None)

    assert _ids(selectors.published()) == {trusted.pk, card.pk}
    assert selectors.published_ids({unjudged.pk, trusted.pk, card.pk}) == {trusted.pk, card.pk}


def test_a_changed_bar_applies_to_the_next_query_although_the_sql_is_compiled_once(settings):
    # published_ids and the card query reuse the compiled SQL of published(); the bar is part of its key.
    judged = ContentItemFactory(creator=CreatorStandingFactory(reputation=0.5).creator)
    assert selectors.published_ids({judged.pk}) == {judged.pk}
    assert selectors.published_sql("id") is selectors.published_sql("id")  # compiled once

    settings.FEED_MIN_CREATOR_REPUTATION = 0.6
    assert selectors.published_ids({judged.pk}) == set()
    settings.FEED_MIN_CREATOR_REPUTATION = 0.4
    assert selectors.published_ids({judged.pk}) == {judged.pk}


def test_the_catalog_carries_each_creators_reputation_and_drops_blocked_ones():
    judged = ContentItemFactory(creator=CreatorStandingFactory(reputation=0.8).creator)
    new = ContentItemFactory()
    card = ContentItemFactory(kind=ContentItem.Kind.PRODUCT_CARD, creator=None)
    blocked = ContentItemFactory(creator=CreatorStandingFactory(blocked=True).creator)

    snapshot = catalog.catalog()

    assert {pk: info.reputation for pk, info in snapshot.servable.items()} == {
        judged.pk: 0.8,
        new.pk: NEUTRAL,
        card.pk: NEUTRAL,
    }
    assert blocked.pk not in snapshot.fresh


# Every surface a shopper is served from.


def test_the_fallback_feed_skips_a_blocked_creator_until_unblocked(api_client, decide):
    kept = ContentItemFactory()
    bad = ContentItemFactory()
    decide(bad.creator, blocked=True)

    blocked_page = api_client.get("/api/v1/feed").json()["cards"]
    decide(bad.creator, blocked=False)
    unblocked_page = api_client.get("/api/v1/feed").json()["cards"]

    assert [card["id"] for card in blocked_page] == [kept.pk]
    assert {card["id"] for card in unblocked_page} == {kept.pk, bad.pk}  # a new feed session


def test_a_low_reputation_creator_is_left_out_of_the_feed_and_a_neutral_one_is_not(api_client):
    ContentItemFactory(creator=CreatorStandingFactory(reputation=0.1).creator)
    neutral = ContentItemFactory(creator=CreatorStandingFactory(reputation=NEUTRAL).creator)
    new = ContentItemFactory()

    ids = {card["id"] for card in api_client.get("/api/v1/feed").json()["cards"]}

    assert ids == {neutral.pk, new.pk}  # not low


@pytest.fixture
def ranked_shop(settings, tmp_path):
    """Two creators of 12 items each, 30 shoppers liking both; a ranker trained on it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    rng = np.random.default_rng(7)
    creators = [CreatorFactory(), CreatorFactory()]
    cats = [Tag.objects.create(slug=f"cat-{c}", name=f"Category {c}", kind=Tag.Kind.CATEGORY) for c in range(2)]
    items = [ContentItemFactory(creator=creators[n % 2], tags=[cats[n % 2]]) for n in range(24)]
    start = timezone.now() - timedelta(days=30)
    shoppers = [ShopperFactory() for _ in range(30)]
    for shopper in shoppers:
        for step in range(6):
            item = items[int(rng.integers(len(items)))]
            InteractionFactory(shopper=shopper, content=item, type="like", occurred_at=start + timedelta(days=step * 4))
    ranker_train(activate="always", rounds=20)
    return creators, shoppers[0]


def test_the_ranked_feed_skips_a_blocked_creator_until_unblocked(ranked_shop, decide):
    (kept, bad), shopper = ranked_shop

    def creators_served() -> set[int]:
        ranked = serving.rank(shopper=shopper, exclude=set(), size=40, policy=OPEN, first_page=True)
        return {s.candidate.creator for s in ranked.slots}

    before = creators_served()
    decide(bad, blocked=True)
    blocked = creators_served()
    decide(bad, blocked=False)
    after = creators_served()

    assert before == after == {kept.pk, bad.pk}
    assert blocked == {kept.pk}


def test_no_live_source_proposes_a_blocked_creators_posts():
    tag = TagFactory()
    shopper = ShopperFactory()
    kept, bad = CreatorFactory(), CreatorFactory()
    for creator in (kept, bad):
        FollowFactory(shopper=shopper, creator=creator)
    InterestFactory(shopper=shopper, tag=tag)
    kept_items = [ContentItemFactory(creator=kept), ContentItemFactory(creator=kept, tags=[tag])]
    bad_items = [ContentItemFactory(creator=bad), ContentItemFactory(creator=bad, tags=[tag])]
    # Engaged with one post of each creator: "similar" looks for posts like them (same creator, tag).
    engaged = {kept_items[0].pk: 1.0, bad_items[0].pk: 1.0}
    CreatorStandingFactory(creator=bad, blocked=True)
    snapshot = catalog.catalog()

    picks = replace(live.shopper_picks(shopper), engaged=engaged)
    proposed = {source.name: set(source.fetch(shopper, snapshot, picks, source.budget)) for source in live.SOURCES}

    assert proposed == {
        "followed": _ids(kept_items),
        "interest": {kept_items[1].pk},
        "similar": {kept_items[1].pk},  # not what was engaged with
        "fresh": _ids(kept_items),
    }


def test_a_blocked_creators_post_page_and_comments_are_not_found_until_unblocked(client, decide):
    product = ProductFactory()
    item = ContentItemFactory(products=[product])
    decide(item.creator, blocked=True)

    blocked = (
        client.get(f"/c/{item.pk}").status_code,
        client.get(f"/api/v1/items/{item.pk}/comments").status_code,
        list(client.get(f"/p/{product.pk}").context["seen_in"]),
    )
    decide(item.creator, blocked=False)
    page = client.get(f"/c/{item.pk}")

    assert blocked == (404, 404, [])
    assert page.status_code == 200
    assert page.context["pinned"]["id"] == item.pk
    assert [seen["item"].pk for seen in client.get(f"/p/{product.pk}").context["seen_in"]] == [item.pk]


def test_a_blocked_creators_new_post_is_not_pushed_live(django_capture_on_commit_callbacks):
    kept, bad = CreatorFactory(), CreatorFactory()
    CreatorStandingFactory(creator=bad, blocked=True)
    kept_fan, bad_fan = ShopperFactory(user=None), ShopperFactory(user=None)
    FollowFactory(shopper=kept_fan, creator=kept)
    FollowFactory(shopper=bad_fan, creator=bad)
    pending = ContentItem.Status.PENDING
    kept_item = ContentItemFactory(creator=kept, status=pending, published_at=None)
    bad_item = ContentItemFactory(creator=bad, status=pending, published_at=None)

    def publish_both() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            content_publish(item=bad_item)
            content_publish(item=kept_item)

    async def scenario():
        async with socket(visitor_headers(kept_fan)) as k, socket(visitor_headers(bad_fan)) as b:
            await sync_to_async(publish_both)()
            received = await k.receive_json_from(timeout=5)
            # The same publish reached the other socket by now, had it been pushed at all.
            bad_quiet = await b.receive_nothing(timeout=0.3)
            announceable = await sync_to_async(push.published_item)(bad_item.pk)
        return received, bad_quiet, announceable

    received, bad_quiet, announceable = run(scenario)

    assert [card["id"] for card in received["cards"]] == [kept_item.pk]
    assert bad_quiet
    assert announceable is None  # no audience is even looked for
