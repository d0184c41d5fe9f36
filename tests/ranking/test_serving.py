"""The ranking engine end to end on a small shop with real taste structure: train, then serve."""

import uuid
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest
import redis
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from content.models import ContentItem
from content.services import content_remove
from feedsite import caches
from profiles.events import state, stream
from profiles.events.consumer import EventConsumer
from profiles.models import Shopper
from profiles.services import consent_set, follow_create
from ranking import catalog, precompute, registry, serving, tasks
from ranking.candidates import generators, live
from ranking.features import Context, featurize
from ranking.feed import REASONS, feed_page
from ranking.history import DEVICE_CODE, history_load
from ranking.models import FeedRequest
from ranking.policy import EXPLORATION_SOURCES, Policy, Rule
from ranking.training import ranker_train
from tests.factories import (
    ContentItemFactory,
    CreatorFactory,
    InteractionFactory,
    ProductFactory,
    ShopperFactory,
    UserFactory,
)
from tests.profiles.events.conftest import stream_event

pytestmark = pytest.mark.django_db
OPEN = Policy(max_same_creator_in_row=0, max_same_kind_in_row=0, min_creator_spacing=0)


@pytest.fixture(autouse=True)
def _isolated(ranker_storage):
    """Models saved to a temporary folder, no per-process ranking caches (``ranker_storage``)."""


def test_trained_ranker_serves_each_shopper_their_category_and_nothing_seen(shop):
    _, items, shoppers = shop
    model = ranker_train(activate="always", rounds=50)

    hits = total = 0
    for shopper, favourite in shoppers[:12]:
        ranked = serving.rank(shopper=shopper, exclude=set(), size=5, policy=OPEN, first_page=True)
        served = [s.candidate.item for s in ranked.slots]
        seen = set(shopper.interactions.values_list("content_id", flat=True))
        assert not seen & set(served)
        favourite_ids = {i.pk for i in items[favourite]}
        hits += sum(pk in favourite_ids for pk in served)
        total += len(served)
    assert model.status == "active"
    assert hits / total > 0.5  # a category is a quarter of the shop; taste must show


def test_training_and_serving_compute_the_same_features(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    world = registry.active_ranker().extra["world"]
    history = history_load()
    shopper = shoppers[0][0]

    replayed = world.block_from_history(history, [history.shopper_index[shopper.pk]])
    served = world.block([serving.shopper_events(shopper, world)])
    items = world.universe[:10]
    rows = np.zeros(len(items), np.int64)

    context = Context.at(world.now + 60, DEVICE_CODE["mobile"])
    features_replayed = featurize(world, replayed, generators.score_all(world, replayed), rows, items, context=context)
    features_served = featurize(world, served, generators.score_all(world, served), rows, items, context=context)
    np.testing.assert_allclose(features_replayed, features_served, rtol=1e-5)


def test_out_of_stock_removed_and_excluded_items_are_never_served(shop):
    _, items, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper, favourite = shoppers[0]
    candidates = [i for i in items[favourite] if not shopper.interactions.filter(content=i).exists()]
    sold_out, removed, excluded = candidates[:3]
    sold_out.products.add(ProductFactory(stock=0))
    removed.status = ContentItem.Status.REMOVED
    removed.save()
    catalog.clear_cache()

    ranked = serving.rank(shopper=shopper, exclude={excluded.pk}, size=40, policy=OPEN, first_page=True)

    served = {s.candidate.item for s in ranked.slots}
    assert not served & {sold_out.pk, removed.pk, excluded.pk}


def _followed_creator_posts(shopper: Shopper) -> ContentItem:
    """The shopper follows a creator, who then publishes: the new post."""
    creator = CreatorFactory()
    follow_create(shopper=shopper, creator=creator)
    new_post = ContentItemFactory(creator=creator)
    catalog.clear_cache()
    return new_post


def test_followed_creator_new_post_and_fresh_items_are_candidates(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]
    new_post = _followed_creator_posts(shopper)

    ranked = serving.rank(shopper=shopper, exclude=set(), size=60, policy=OPEN, first_page=True)

    sources = {s.candidate.item: s.candidate.source for s in ranked.slots}
    assert sources.get(new_post.pk) == "followed"


def test_a_token_shoppers_follows_come_with_the_token_and_bring_the_new_post(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]
    shopper.user = UserFactory()
    shopper.save(update_fields=["user"])
    new_post = _followed_creator_posts(shopper)
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=shopper.user).key}")

    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/feed", {"limit": 50}).json()

    assert {card["id"]: card["reason"]["code"] for card in body["cards"]}.get(new_post.pk) == "followed"
    picks_read = [q["sql"] for q in queries if "profiles_follow" in q["sql"] and "profiles_interest" in q["sql"]]
    assert len(picks_read) == 1
    # on PostgreSQL they come with the token, in its query; elsewhere in one of their own
    assert ("authtoken_token" in picks_read[0]) == (connection.vendor == "postgresql")


def test_consent_off_ranks_like_a_newcomer(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[1][0]
    newcomer = Shopper.objects.create()
    consent_set(shopper=shopper, personalization=False)

    private = serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)
    anonymous = serving.rank(shopper=newcomer, exclude=set(), size=10, policy=OPEN, first_page=True)

    assert [s.candidate.item for s in private.slots] == [s.candidate.item for s in anonymous.slots]


def test_cold_start_shopper_gets_a_full_page_and_a_failing_generator_is_skipped(shop, monkeypatch):
    ranker_train(activate="always", rounds=20)
    newcomer = Shopper.objects.create()

    def broken(world, block):
        raise RuntimeError("index unavailable")

    def broken_at(world, block, columns):
        raise RuntimeError("index unavailable")

    monkeypatch.setitem(generators.GENERATORS, "ease", broken)
    monkeypatch.setitem(generators.GENERATORS_AT, "ease", broken_at)
    computed = serving.rank(shopper=newcomer, exclude=set(), size=10, policy=OPEN, first_page=True)
    from_list = serving.rank(shopper=newcomer, exclude=set(), size=10, policy=OPEN, first_page=True)

    assert (computed.precomputed, from_list.precomputed) == (False, True)
    assert len(computed.slots) == len(from_list.slots) == 10


def test_feed_api_serves_the_ranker_and_logs_its_features(shop, api_client):
    ranker_train(activate="always", rounds=20)

    body = api_client.get("/api/v1/feed", {"limit": 5}).json()

    from ranking.models import FeedRequest

    log = FeedRequest.objects.get(request_id=body["request_id"])
    assert len(body["cards"]) == 5
    assert {c["reason"]["code"] for c in body["cards"]} <= {"popular", "trending", "fresh", "affinity"}
    assert log.features["model"] == registry.active_ranker().version
    assert [len(row) for row in log.features["rows"]] == [len(registry.active_ranker().features)] * 5
    # Logged to 4 decimals as written (0.1234, not the float32 0.12340000271797180).
    values = [v for row in log.features["rows"] for v in row if v is not None]
    assert values
    assert all(v == round(v, 4) for v in values)


def test_the_feed_api_ranks_in_the_device_class_asked_and_logs_it(shop, api_client):
    ranker_train(activate="always", rounds=20)
    names = registry.active_ranker().features

    body = api_client.get("/api/v1/feed", {"limit": 3, "device": "mobile"}).json()
    refused = api_client.get("/api/v1/feed", {"device": "toaster"})

    rows = FeedRequest.objects.get(request_id=body["request_id"]).features["rows"]
    assert {row[names.index("ctx_device")] for row in rows} == {DEVICE_CODE["mobile"]}
    assert refused.status_code == 400
    assert "device" in refused.json()["error"]["extra"]["fields"]
    assert FeedRequest.objects.count() == 1  # the refused request served nothing


def test_a_model_trained_on_other_features_than_the_code_computes_is_not_served(shop, monkeypatch, api_client):
    ranker_train(activate="always", rounds=20)
    registry.clear_cache()
    monkeypatch.setattr(registry, "feature_names", lambda world: ["a_feature_of_another_release"])

    body = api_client.get("/api/v1/feed", {"limit": 3}).json()

    assert registry.active_ranker() is None
    assert {card["reason"]["rule"] for card in body["cards"]} == {"fallback"}


def test_no_trained_ranker_falls_back_to_popular_and_fresh(api_client):
    ContentItemFactory.create_batch(3)

    body = api_client.get("/api/v1/feed").json()

    assert len(body["cards"]) == 3
    assert {c["reason"]["rule"] for c in body["cards"]} == {"fallback"}


def test_admin_previews_a_shoppers_feed_with_sources_rules_and_feature_contributions(shop, admin_client):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]

    response = admin_client.get("/admin/ranking/rankermodel/preview/", {"shopper": shopper.pk})

    rows = response.context["preview"].rows
    assert len(rows) == 20
    assert {row["source"] for row in rows} <= {"popular", "trending", "collaborative", "affinity", "fresh"}
    assert all(row["rule"] for row in rows)
    assert all(len(row["features"].split(", ")) == 3 for row in rows)


@pytest.mark.parametrize("asked", ["9" * 30, "no-such-shopper"])
def test_admin_preview_of_a_shopper_that_does_not_exist_shows_no_feed(shop, admin_client, asked):
    ranker_train(activate="always", rounds=10)

    response = admin_client.get("/admin/ranking/rankermodel/preview/", {"shopper": asked})

    assert response.status_code == 200
    assert (response.context["shopper"], response.context["preview"]) == (None, None)


def test_admin_rollback_action_reactivates_the_previous_model(shop, admin_client):
    first = ranker_train(activate="always", rounds=10)
    second = ranker_train(activate="always", rounds=10)

    admin_client.post("/admin/ranking/rankermodel/", {"action": "rollback_model", "_selected_action": [second.pk]})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("active", "retired")


def test_scoring_only_the_candidates_gives_the_scores_and_features_of_scoring_everything(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    world = registry.active_ranker().extra["world"]
    events = precompute.events_of(world, [shopper.pk for shopper, _ in shoppers[:6]])
    events.append(precompute.NO_EVENTS)

    for shopper_events in events:
        block = world.block([shopper_events])
        full = generators.score_all(world, block)
        _, items = generators.top_candidates(world, block, full, 10)
        columns = np.unique(world.universe_pos[items])
        partial = generators.score_at(world, block, columns)
        for name in generators.GENERATORS:
            np.testing.assert_allclose(partial[name], np.asarray(full[name])[:, columns], rtol=1e-5, atol=1e-6)
        # score_at takes whichever side of the cosine table is cheaper; both give the same sums
        pos, weights = generators._history_row(world, block.decayed, 0)
        for by in (generators._cosine_by_rows, generators._cosine_by_columns):
            summed = by(world, pos, weights, columns)
            np.testing.assert_allclose(summed, full["cosine"][0, columns], rtol=1e-5, atol=1e-6)
        rows = np.zeros(len(items), np.int64)
        context = Context.at(world.now)
        np.testing.assert_allclose(
            featurize(world, block, partial, rows, items, context=context, columns=columns),
            featurize(world, block, full, rows, items, context=context),
            rtol=1e-5,
        )


def test_a_request_stores_its_candidate_list_and_the_next_one_ranks_from_it_alike(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[2][0]

    computed = serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)
    stored = precompute.load(shopper.pk, computed.version)
    from_list = serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)

    assert stored is not None
    assert len(stored.items) >= 10
    assert (computed.precomputed, from_list.precomputed) == (False, True)
    assert [(s.candidate.item, round(s.candidate.score, 4)) for s in from_list.slots] == [
        (s.candidate.item, round(s.candidate.score, 4)) for s in computed.slots
    ]
    assert from_list.features == computed.features


def test_what_the_shopper_did_after_the_list_was_built_brings_its_neighbours(shop):
    _, items, shoppers = shop
    ranker_train(activate="always", rounds=20)
    world = registry.active_ranker().extra["world"]
    shopper, favourite = shoppers[3]
    events = serving.shopper_events(shopper, world)
    built = precompute.newest(events)

    assert len(serving.session_neighbours(world, events, after=built)) == 0
    liked = items[(favourite + 1) % 4][0]
    InteractionFactory(shopper=shopper, content=liked, type="like", occurred_at=timezone.now())
    events = serving.shopper_events(shopper, world)
    neighbours = serving.session_neighbours(world, events, after=built)

    assert len(neighbours) > 0
    expected = world.cosine[world.universe_pos[world.item_index[liked.pk]]].indices
    assert set(world.universe_pos[neighbours]) <= set(expected)


def _ingest(shopper, items, kind="like"):
    """Events as ingestion takes them: in the stream and the shopper's recent list, not consumed yet."""
    now = timezone.now().timestamp()
    stream.append([stream_event(shopper.pk, item.pk, kind, now, uuid.uuid4().hex) for item in items])


def _sorted(events):
    order = np.lexsort((events[0], events[1]))
    return [column[order] for column in events]


def test_a_list_keeps_its_events_and_adds_the_newer_recent_ones_without_reading_the_database(shop):
    _, items, shoppers = shop
    ranker_train(activate="always", rounds=20)
    ranker = registry.active_ranker()
    world = ranker.extra["world"]
    shopper, favourite = shoppers[4]
    serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)
    _ingest(shopper, items[(favourite + 1) % 4][:2])

    with CaptureQueriesContext(connection) as queries:
        events, stored, _, _ = serving._events_and_list(world, ranker.version, shopper)

    assert stored is not None
    assert len(queries) == 0
    for kept, read in zip(_sorted(events), _sorted(serving.shopper_events(shopper, world)), strict=True):
        np.testing.assert_array_equal(kept, read)


def test_a_list_the_shopper_did_nothing_since_is_taken_with_its_scores_and_one_they_did_is_scored_again(
    shop, monkeypatch
):
    _, items, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper, favourite = shoppers[6]
    computed = serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)
    scored = []
    score_at = generators.score_at

    def counting(world, block, columns):
        scored.append(len(columns))
        return score_at(world, block, columns)

    monkeypatch.setattr(serving, "score_at", counting)

    again = serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)
    _ingest(shopper, items[(favourite + 1) % 4][:2])
    after_events = serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)
    next_page = serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)

    assert len(scored) == 1  # only the page after the new events scored its candidates
    assert (again.precomputed, after_events.precomputed, next_page.precomputed) == (True, True, True)
    # the stored scores are the scores: the same page and feature rows as the request that computed them
    assert [s.candidate.item for s in again.slots] == [s.candidate.item for s in computed.slots]
    assert again.features == computed.features
    assert [s.candidate.item for s in next_page.slots] == [s.candidate.item for s in after_events.slots]
    assert next_page.features == after_events.features


def test_precomputed_lists_keep_the_scores_score_at_gives_their_items(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    ranker = registry.active_ranker()
    world = ranker.extra["world"]
    ids = [shopper.pk for shopper, _ in shoppers[:4]]
    events = precompute.events_of(world, ids)

    lists = precompute.compute(world, ranker.version, events, [[] for _ in ids])

    for shopper_events, entry in zip(events, lists, strict=True):
        block = world.block([shopper_events])
        expected = generators.score_at(world, block, precompute.columns_of(world, entry.items))
        precompute.store({None: entry})  # a round trip through the store's encoding
        stored = precompute.load(None, ranker.version)
        assert stored.scores_for(shopper_events) is not None
        for name in generators.GENERATORS:
            np.testing.assert_allclose(stored.scores[name], expected[name], rtol=1e-5, atol=1e-6)


def test_a_list_whose_mark_was_trimmed_from_the_recent_list_reads_the_database_once(shop):
    _, items, shoppers = shop
    ranker_train(activate="always", rounds=20)
    ranker = registry.active_ranker()
    world = ranker.extra["world"]
    shopper, favourite = shoppers[5]
    _ingest(shopper, items[favourite][:1])
    serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)
    _ingest(shopper, items[(favourite + 1) % 4] * (state.RECENT_MAX // 12 + 1), kind="view")  # trims the mark

    with CaptureQueriesContext(connection) as first:
        events, _, _, _ = serving._events_and_list(world, ranker.version, shopper)
    with CaptureQueriesContext(connection) as second:
        again, _, _, _ = serving._events_and_list(world, ranker.version, shopper)

    assert (len(first), len(second)) == (1, 0)  # the events read are kept with the list again
    for kept, read in zip(_sorted(again), _sorted(events), strict=True):
        np.testing.assert_array_equal(kept, read)


def test_the_precompute_task_refreshes_the_lists_of_recently_active_shoppers_only(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    (active, _), (idle, _) = shoppers[:2]
    FeedRequest.objects.create(shopper=active, feed_session=uuid.uuid4(), items=[], reasons=[])
    old = FeedRequest.objects.create(shopper=idle, feed_session=uuid.uuid4(), items=[], reasons=[])
    FeedRequest.objects.filter(pk=old.pk).update(served_at=timezone.now() - timedelta(hours=3))

    result = tasks.precompute_feeds.apply().get()

    version = registry.active_ranker().version
    assert result == {"shoppers": 1, "version": version}
    assert precompute.load(active.pk, version) is not None
    assert precompute.load(idle.pk, version) is None
    assert precompute.load(None, version) is not None  # the shared list of shoppers without personalization


def test_a_list_for_another_model_version_is_ignored(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]
    precompute.store(
        {shopper.pk: precompute.CandidateList(version="old", built_at=0.0, events_until=0.0, items=np.arange(3))}
    )

    ranked = serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)

    assert not ranked.precomputed
    assert precompute.load(shopper.pk, ranked.version) is not None  # replaced by the request


def test_ranking_from_a_list_makes_a_fixed_number_of_queries(shop):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]
    serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)

    with CaptureQueriesContext(connection) as queries:
        ranked = serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)

    assert ranked.precomputed
    # the shopper's follows and interests (the others ask nothing without follows or interests, the
    # "similar" source nothing once this process has the tokens of what the shopper engaged with);
    # the events came with the list
    assert len(queries) == 1, [q["sql"] for q in queries]


def test_a_rule_on_a_tag_moves_the_cards_that_carry_it_in_the_served_feed_at_one_query(shop):
    cats, items, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = next(s for s, favourite in shoppers if favourite == 0)
    other = {i.pk for i in items[2]}
    boosted = replace(OPEN, rules=(Rule("boost", "tag", cats[2].slug, 1e6),))
    serving.rank(shopper=shopper, exclude=set(), size=5, policy=OPEN, first_page=True)  # the list is stored

    plain = serving.rank(shopper=shopper, exclude=set(), size=5, policy=OPEN, first_page=True)
    with CaptureQueriesContext(connection) as queries:
        ranked = serving.rank(shopper=shopper, exclude=set(), size=5, policy=boosted, first_page=True)

    assert sum(s.candidate.item in other for s in plain.slots) < 5
    assert [s.candidate.item in other for s in ranked.slots] == [True] * 5
    assert all(s.candidate.tags == {cats[2].slug} for s in ranked.slots)
    # the shopper's follows and interests, and the tags the rule matches
    assert len(queries) == 2, [q["sql"] for q in queries]


def test_the_tokens_of_what_the_shopper_engaged_with_are_read_once_per_process(shop):
    _, _, shoppers = shop
    ContentItem.objects.update(published_at=timezone.now() - timedelta(days=30))  # older than the content index
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]
    ContentItemFactory()  # new: the content index is not empty
    catalog.clear_cache()
    serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)
    caches.clear("ranking.content_index")  # as in a process that has not served this shopper yet

    with CaptureQueriesContext(connection) as cold:
        serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)
    with CaptureQueriesContext(connection) as warm:
        serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)

    # the shopper's follows and interests; on a cold cache, the tokens of what they engaged with too
    assert (len(cold), len(warm)) == (2, 1), [q["sql"] for q in cold]


def test_a_new_post_like_what_the_shopper_just_watched_is_a_candidate_within_the_session(shop):
    cats, items, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper, favourite = shoppers[5]
    other = (favourite + 2) % 4
    _ingest(shopper, items[other][:3])  # liked just now, not consumed yet: in the recent list only
    new_post = ContentItemFactory(tags=[cats[other]])  # nobody has seen it: no generator knows it
    catalog.clear_cache()

    ranked = serving.rank(shopper=shopper, exclude=set(), size=200, policy=OPEN, first_page=True)

    sources = {s.candidate.item: s.candidate.source for s in ranked.slots}
    assert sources.get(new_post.pk) == "similar"


@pytest.mark.parametrize("failing", ["interest", "similar"])
def test_a_failing_live_source_is_skipped_and_the_others_still_propose(shop, monkeypatch, failing):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]
    new_post = _followed_creator_posts(shopper)

    def broken(*args):
        raise RuntimeError("replica down")

    monkeypatch.setattr(
        live, "SOURCES", tuple(s if s.name != failing else replace(s, fetch=broken) for s in live.SOURCES)
    )
    ranked = serving.rank(shopper=shopper, exclude=set(), size=20, policy=OPEN, first_page=True)

    sources = {s.candidate.item: s.candidate.source for s in ranked.slots}
    assert len(ranked.slots) == 20
    assert sources.get(new_post.pk) == "followed"
    assert failing not in sources.values()


def test_without_the_shoppers_follows_and_interests_the_other_sources_still_propose(shop, monkeypatch):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]
    _followed_creator_posts(shopper)
    fresh = ContentItemFactory()  # nobody has seen it: only the "fresh" source knows it
    catalog.clear_cache()

    def broken(shopper):
        raise RuntimeError("replica down")

    monkeypatch.setattr(live, "shopper_picks", broken)
    found = live.live_candidates(shopper, catalog.catalog(), personalized=True)

    assert found.get(fresh.pk) == "fresh"
    assert "followed" not in set(found.values())


def test_ranking_from_a_list_makes_a_fixed_number_of_realtime_round_trips(shop, monkeypatch):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[0][0]
    ContentItemFactory()  # new to everyone: a fresh (exploration) candidate
    catalog.clear_cache()
    serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)
    trips: list[str] = []
    execute_command, pipeline_execute = redis.Redis.execute_command, redis.client.Pipeline.execute

    def counted(self, *args, **options):
        if not isinstance(self, redis.client.Pipeline):  # a pipeline's commands travel in its execute()
            trips.append(str(args[0]))
        return execute_command(self, *args, **options)

    def counted_pipeline(self, *args, **options):
        trips.append("pipeline")
        return pipeline_execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    monkeypatch.setattr(redis.client.Pipeline, "execute", counted_pipeline)
    ranked = serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)

    assert ranked.precomputed
    # the candidate list with the recent list; the counters with the uptake of exploration candidates
    assert trips == ["pipeline", "pipeline"], trips


def test_an_event_consumed_and_still_in_the_recent_list_counts_once(shop):
    _, items, shoppers = shop
    ranker_train(activate="always", rounds=20)
    world = registry.active_ranker().extra["world"]
    shopper, favourite = shoppers[6]
    before = len(serving.shopper_events(shopper, world)[0])
    _ingest(shopper, items[favourite][:2])
    EventConsumer(name="t", block_ms=0).drain()  # in the database now, and still in the recent list
    _ingest(shopper, items[favourite][2:3])  # not consumed: in the recent list only

    events = serving.shopper_events(shopper, world)

    assert len(state.shopper_recent(shopper.pk)) == 3
    assert len(events[0]) == before + 3


def test_only_live_sources_explore():
    # serving reads the exploration candidates' uptake with the counters, before any generator is
    # named a candidate's source: that must never make it an exploration candidate
    assert not EXPLORATION_SOURCES & {*generators.SOURCE_OF.values(), "popular"}


def test_a_collaborative_card_names_the_liked_item_that_proposed_it_most(shop, api_client):
    _, items, shoppers = shop
    ranker_train(activate="always", rounds=20)
    world = registry.active_ranker().extra["world"]
    by_pk = {item.pk: item for group in items.values() for item in group}
    named = 0
    for shopper, _ in shoppers[:8]:
        ranked = serving.rank(shopper=shopper, exclude=set(), size=10, policy=OPEN, first_page=True)
        liked = set(shopper.interactions.values_list("content_id", flat=True))
        block = world.block([serving.shopper_events(shopper, world)])
        weight = dict(zip(*generators._history_row(world, block.decayed, 0), strict=True))
        above: set[int] = set()  # named by the cards above: a page names an item once
        for slot in ranked.slots:
            anchor = ranked.because.get(slot.candidate.item)
            if slot.candidate.source != "collaborative":
                assert anchor is None
                continue
            if anchor is None:
                continue
            assert anchor.item in liked
            assert anchor.item not in above
            assert anchor.liked  # the shop's history is likes
            # the liked item, not named above, with the largest (recency-weighted) cosine to the card
            target = world.universe_pos[world.item_index[slot.candidate.item]]
            contribution = {int(world.items[world.universe[p]]): w * world.cosine[p, target] for p, w in weight.items()}
            left = {item: value for item, value in contribution.items() if item not in above}
            if max(contribution.values()) > 0:
                assert contribution[anchor.item] == pytest.approx(max(left.values()))
            above.add(anchor.item)
            named += 1
    assert named  # the shop's shoppers get collaborative cards

    shopper = shoppers[0][0]
    shopper.user = UserFactory()
    shopper.save(update_fields=["user"])
    api_client.force_authenticate(shopper.user)
    cards = api_client.get("/api/v1/feed", {"limit": 10}).json()["cards"]
    texts = [c["reason"]["text"] for c in cards if c["reason"]["code"] == "collaborative"]
    names = [text.removeprefix("Because you liked ") for text in texts if text != REASONS["collaborative"]]
    liked = set(shopper.interactions.values_list("content_id", flat=True))
    assert names
    assert set(names) <= {by_pk[pk].caption for pk in liked}
    assert len(set(names)) == len(names)  # each named once; the others keep the general text

    # what was only viewed is named as viewed
    viewer = ShopperFactory()
    for n, item in enumerate(items[1][:6]):
        InteractionFactory(shopper=viewer, content=item, type="view", occurred_at=timezone.now() - timedelta(hours=n))
    ranked = serving.rank(shopper=viewer, exclude=set(), size=10, policy=OPEN, first_page=True)
    assert ranked.because
    assert not any(anchor.liked for anchor in ranked.because.values())


@pytest.mark.parametrize("heard", [True, False], ids=["this-process", "another-process"])
def test_a_page_from_a_precomputed_list_right_after_a_removal_leaves_it_out_and_stays_full(
    shop, monkeypatch, django_capture_on_commit_callbacks, heard
):
    _, _, shoppers = shop
    ranker_train(activate="always", rounds=20)
    shopper = shoppers[5][0]
    top = serving.rank(shopper=shopper, exclude=set(), size=5, policy=OPEN, first_page=True)  # stores the list
    removed = ContentItem.objects.get(pk=top.slots[0].candidate.item)
    catalog.catalog()  # the snapshot of a process serving pages, built before the removal
    ranked: list[serving.Ranked] = []
    rank = serving.rank
    monkeypatch.setattr(serving, "rank", lambda **kwargs: ranked.append(rank(**kwargs)) or ranked[-1])

    # heard: the removal ran here after commit; not heard: it ran in another process, so this
    # process's snapshot still serves the item (the test's transaction never commits).
    with django_capture_on_commit_callbacks(execute=heard):
        content_remove(item=removed)
    page = feed_page(shopper=shopper, limit=5, cursor=None)

    assert ranked[0].precomputed
    assert (removed.pk in catalog.catalog().servable) is not heard
    assert removed.pk not in [card["id"] for card in page.cards]
    assert len(page.cards) == 5
    assert page.next_cursor is not None
