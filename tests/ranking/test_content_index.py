"""The content index: new items proposed by what they say (caption words and labels) to the shoppers
who engaged with items saying the same."""

import threading
from datetime import timedelta
from types import SimpleNamespace

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.models import ContentItem, Tag
from content.selectors import Described
from ranking import catalog, content_index
from ranking.history import UNKNOWN_ITEM
from tests.factories import (
    BrandFactory,
    ContentItemFactory,
    CreatorFactory,
    CreatorStandingFactory,
    ProductFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db
LINEN = "Linen summer dress in sage green"


def _proposed(engaged, *, budget=30, exclude=frozenset()):
    return catalog.catalog().content.propose(engaged, budget, exclude=exclude)


def _days_ago(days):
    return timezone.now() - timedelta(days=days)


def test_tokens_are_caption_words_and_labels():
    item = Described(pk=1, caption="The NEW linen-dress: 2 sizes, ça va #Summer2025", creator=7, brand=4, tags=(12, 30))

    found = content_index.tokens(item, roots={30: 3})

    assert dict(zip(found.terms, found.weights, strict=True)) == {
        # lowercased runs of letters of 3 or more, no stop word ("the"), no digits
        "new": 1.0,
        "linen": 1.0,
        "dress": 1.0,
        "sizes": 1.0,
        "summer": 1.0,
        "tag:12": 2.0,
        "tag:30": 2.0,
        "cat:3": 2.0,  # the root category of tag 30
        "brand:4": 2.0,
        "creator:7": 2.0,
    }


def test_a_word_said_again_weighs_more_but_less_than_twice():
    found = content_index.tokens(Described(1, "linen, linen, linen", None, None, ()), roots={})

    assert found.terms == ("linen",)
    assert list(found.weights) == pytest.approx([1 + np.log(3)])


def test_a_new_item_whose_caption_says_what_the_shopper_liked_is_proposed_an_unrelated_one_is_not():
    liked = ContentItemFactory(caption=LINEN)
    alike = ContentItemFactory(caption="Sage green linen shirt for summer")
    ContentItemFactory(caption="Cast iron skillet, seasoned and ready")

    assert _proposed({liked.pk: 1.0}) == [alike.pk]


@pytest.fixture
def labelled():
    """Items alike by one label each: liked, and the item sharing that label with it."""
    topic, root = TagFactory(), TagFactory(kind=Tag.Kind.CATEGORY)
    child_a, child_b = (TagFactory(kind=Tag.Kind.CATEGORY, parent=root) for _ in range(2))
    brand, creator = BrandFactory(), CreatorFactory()
    return {
        "tag": (dict(tags=[topic]), dict(tags=[topic])),
        "root category": (dict(tags=[child_a]), dict(tags=[child_b])),
        "brand, or the first product's": (dict(brand=brand), dict(products=[ProductFactory(brand=brand)])),
        "creator": (dict(creator=creator), dict(creator=creator)),
    }


@pytest.mark.parametrize("label", ["tag", "root category", "brand, or the first product's", "creator"])
def test_items_sharing_a_label_with_what_the_shopper_liked_are_proposed(labelled, label):
    of_liked, of_alike = labelled[label]
    liked = ContentItemFactory(caption="", **of_liked)
    alike = ContentItemFactory(caption="", **of_alike)
    ContentItemFactory(caption="")  # no label in common

    assert _proposed({liked.pk: 1.0}) == [alike.pk]


def test_the_closest_come_first_and_what_was_engaged_with_or_excluded_is_never_proposed():
    liked, also_liked = ContentItemFactory(caption=LINEN), ContentItemFactory(caption="Linen shirt in sage green")
    closest = ContentItemFactory(caption="Sage green linen summer dress, sizes XS to XL")
    close = ContentItemFactory(caption="Summer in sage green")
    served = ContentItemFactory(caption="Linen summer dress in sage")
    engaged = {liked.pk: 2.0, also_liked.pk: 1.0}

    assert _proposed(engaged, exclude={served.pk}) == [closest.pk, close.pk]
    assert _proposed(engaged, exclude={served.pk}, budget=1) == [closest.pk]


def test_among_equals_the_newest_come_first_and_past_the_excluded_best_the_next_are_looked_for():
    liked = ContentItemFactory(caption=LINEN)
    alike = [ContentItemFactory(caption=LINEN) for _ in range(6)]  # as alike as each other, oldest first
    seen = {item.pk for item in alike[2:]}  # the four newest: the best four the first look finds

    assert _proposed({liked.pk: 1.0}, budget=3) == [alike[5].pk, alike[4].pk, alike[3].pk]
    assert _proposed({liked.pk: 1.0}, budget=1, exclude=seen) == [alike[1].pk]


def test_only_recent_items_with_few_interactions_are_in_the_index(monkeypatch):
    liked = ContentItemFactory(caption=LINEN)
    newest = ContentItemFactory(caption=LINEN)
    newer = ContentItemFactory(caption=LINEN, published_at=_days_ago(1))
    ContentItemFactory(caption=LINEN, published_at=_days_ago(2))  # past the cap below
    ContentItemFactory(caption=LINEN, published_at=_days_ago(content_index.WINDOW_DAYS + 1))
    ContentItemFactory(caption=LINEN, engagement=content_index.MAX_ENGAGEMENT + 1)
    monkeypatch.setattr(content_index, "MAX_ITEMS", 3)

    assert sorted(_proposed({liked.pk: 1.0})) == sorted([newest.pk, newer.pk])


def test_removed_blocked_and_sold_out_items_are_not_proposed():
    liked = ContentItemFactory(caption=LINEN)
    kept = ContentItemFactory(caption=LINEN)
    ContentItemFactory(caption=LINEN, status=ContentItem.Status.REMOVED)
    ContentItemFactory(caption=LINEN, products=[ProductFactory(stock=0)])
    CreatorStandingFactory(creator=ContentItemFactory(caption=LINEN).creator, blocked=True)

    assert _proposed({liked.pk: 1.0}) == [kept.pk]


def test_a_post_published_or_removed_after_the_build_counts_once_the_snapshot_is_rebuilt():
    liked = ContentItemFactory(caption=LINEN)
    removed = ContentItemFactory(caption=LINEN)
    catalog.catalog()
    published = ContentItemFactory(caption=LINEN)
    ContentItem.objects.filter(pk=removed.pk).update(status=ContentItem.Status.REMOVED)

    before = _proposed({liked.pk: 1.0})
    catalog.clear_cache()  # as moderation does; otherwise within catalog.TTL_SECONDS
    after = _proposed({liked.pk: 1.0})

    assert (before, after) == ([removed.pk], [published.pk])


@pytest.mark.django_db(transaction=True)  # committed: the rebuild runs on a thread with its own connection
def test_a_stale_snapshot_is_rebuilt_with_the_posts_published_since(monkeypatch):
    liked = ContentItemFactory(caption=LINEN)
    catalog.catalog()
    published = ContentItemFactory(caption=LINEN)
    monkeypatch.setattr(catalog, "TTL_SECONDS", 0.0)

    served_meanwhile = _proposed({liked.pk: 1.0})
    for thread in threading.enumerate():
        if thread.name == "catalog-refresh":
            thread.join(timeout=30)
    monkeypatch.setattr(catalog, "TTL_SECONDS", 30.0)

    assert (served_meanwhile, _proposed({liked.pk: 1.0})) == ([], [published.pk])


def test_tokens_of_engaged_items_outside_the_index_are_read_in_one_query_then_cached():
    tag = TagFactory()
    older = [ContentItemFactory(caption=LINEN, tags=[tag], published_at=_days_ago(30)) for _ in range(3)]
    new = ContentItemFactory(caption="Linen shirt", tags=[tag])
    index = catalog.catalog().content
    engaged = {item.pk: 1.0 for item in older}

    with CaptureQueriesContext(connection) as cold:
        first = index.propose(engaged, 30, exclude=frozenset())
    with CaptureQueriesContext(connection) as warm:
        second = index.propose(engaged, 30, exclude=frozenset())

    assert first == second == [new.pk]
    assert (len(cold), len(warm)) == (1, 0)


def test_nothing_engaged_with_or_an_empty_index_proposes_nothing_and_asks_nothing():
    liked = ContentItemFactory(caption=LINEN, published_at=_days_ago(30))
    index = catalog.catalog().content

    with CaptureQueriesContext(connection) as queries:
        proposed = (index.propose({}, 30, exclude=frozenset()), index.propose({liked.pk: 1.0}, 30, exclude=frozenset()))

    assert proposed == ([], [])
    assert len(queries) == 0


def test_what_the_shopper_engaged_with_weighs_its_strongest_event_halved_every_half_life(settings):
    settings.FEED_AFFINITY_HALF_LIFE_HOURS = 1
    now, hour = 1_000_000.0, 3600.0
    world = SimpleNamespace(
        items=np.array([UNKNOWN_ITEM, 10, 11, 12]), item_index={UNKNOWN_ITEM: 0, 10: 1, 11: 2, 12: 3}
    )
    events = (
        np.array([1, 1, 2, 3, 0]),  # world item indexes; 0: an item the world was not fitted on
        np.array([now, now - hour, now - 2 * hour, now, now]),
        np.full(5, np.nan, np.float32),
        np.array([1, 4, 2, 0, 3], np.int8),  # grades: 0 is an impression, a skip, a hide
    )
    # 99: published since the world was fitted (an unknown item in the events); the events hold
    # the recent list's other entries already (serving reads them together)
    recent = [(99, "like", now), (13, "skip", now), (11, "purchase", now)]

    engaged = content_index.engaged_items(world, events, recent, now=now)

    assert engaged == {10: 2.0, 11: 0.5, 99: 2.0}  # 10: a purchase an hour ago (4 × ½) over a view now


def test_the_profile_is_the_heaviest_items_only(monkeypatch):
    world = SimpleNamespace(items=np.array([10, 11, 12]), item_index={10: 0, 11: 1, 12: 2})
    events = (np.array([0, 1, 2]), np.full(3, 1000.0), np.full(3, np.nan, np.float32), np.array([2, 4, 1], np.int8))
    monkeypatch.setattr(content_index, "PROFILE_ITEMS", 2)

    assert content_index.engaged_items(world, events, None, now=1000.0) == {11: 4.0, 10: 2.0}
