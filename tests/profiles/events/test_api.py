import json
import time

import pytest

from content.models import ContentItem
from profiles.events.models import EventBacklog, Interaction
from tests.factories import ContentItemFactory
from tests.profiles.events.conftest import make_event, post_events

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("mutation", "reason"),
    [
        ({"event_id": "short"}, "invalid_event_id"),
        ({"event_id": "has spaces in it"}, "invalid_event_id"),
        ({"type": "teleport"}, "invalid_type"),
        ({"type": "rate"}, "invalid_type"),
        ({"type": {}}, "invalid_type"),
        ({"type": ["like"]}, "invalid_type"),
        ({"item": "12"}, "invalid_item"),
        ({"item": 0}, "invalid_item"),
        ({"ts": "yesterday"}, "invalid_ts"),
        ({"ts": "2026-01-01T10:00:00"}, "invalid_ts"),
        ({"ts": time.time() + 3600}, "ts_in_future"),
        ({"ts": time.time() - 10 * 86400}, "ts_too_old"),
        ({"position": -1}, "invalid_position"),
        ({"dwell_ms": 1.5}, "invalid_dwell_ms"),
        ({"value": "lots"}, "invalid_value"),
        ({"session_id": "x" * 65}, "invalid_session_id"),
        ({"request_id": "not a token!"}, "invalid_request_id"),
        ({"context": {"device": "toaster"}}, "invalid_context"),
        ({"context": {"device": {"kind": "mobile"}}}, "invalid_context"),
        ({"context": {"viewport": [0, 10]}}, "invalid_context"),
        ({"context": "mobile"}, "invalid_context"),
        ({"color": "red"}, "unknown_field"),
    ],
)
def test_each_rejection_reason_is_reported_and_valid_events_are_kept(browser, consumer, mutation, reason):
    item = ContentItemFactory()
    good = make_event(item.pk, "like")
    bad = make_event(item.pk) | mutation

    body = post_events(browser, [good, bad]).json()

    assert body["accepted"] == 1
    assert body["duplicates"] == 0
    assert [(r["index"], r["reason"]) for r in body["rejected"]] == [(1, reason)]
    consumer.drain()
    assert list(Interaction.objects.values_list("event_id", "type")) == [(good["event_id"], "like")]


@pytest.mark.parametrize(
    ("field", "literal", "reason"),
    [
        ("item", "1e400", "invalid_item"),
        ("position", "-1e400", "invalid_position"),
        ("dwell_ms", "1e400", "invalid_dwell_ms"),
        ("product", "1e400", "invalid_product"),
        ("value", "1e400", "invalid_value"),
        ("ts", "1e400", "invalid_ts"),
    ],
)
def test_a_number_too_large_for_a_float_is_rejected_not_a_server_error(browser, field, literal, reason):
    event = make_event(ContentItemFactory().pk) | {field: "PLACEHOLDER"}
    body = json.dumps({"events": [event]}).replace('"PLACEHOLDER"', literal)

    response = browser.post("/api/v1/events", body, content_type="application/json")

    assert response.status_code == 200
    assert [(r["index"], r["reason"]) for r in response.json()["rejected"]] == [(0, reason)]
    assert not EventBacklog.objects.exists()


@pytest.mark.parametrize(("missing", "reason"), [("item", "missing_item"), ("ts", "missing_ts")])
def test_missing_required_fields_are_named(browser, missing, reason):
    event = make_event(ContentItemFactory().pk)
    del event[missing]

    body = post_events(browser, [event]).json()

    assert body["rejected"] == [{"index": 0, "reason": reason, "detail": f"{missing} is required"}]


@pytest.mark.parametrize("status", [ContentItem.Status.REMOVED, ContentItem.Status.PENDING])
def test_events_on_unknown_or_unpublished_items_are_rejected(browser, status):
    hidden = ContentItemFactory(status=status)

    body = post_events(browser, [make_event(999_999), make_event(hidden.pk), "not an object"]).json()

    assert [(r["index"], r["reason"]) for r in body["rejected"]] == [
        (0, "unknown_item"),
        (1, "unknown_item"),
        (2, "not_an_object"),
    ]
    assert body["accepted"] == 0


def test_duplicates_within_a_batch_and_across_retries_are_stored_once(browser, consumer):
    item = ContentItemFactory()
    first, second = make_event(item.pk), make_event(item.pk, "like")

    one = post_events(browser, [first, second, first]).json()
    retry = post_events(browser, [first, second]).json()
    consumer.drain()

    assert (one["accepted"], one["duplicates"]) == (2, 1)
    assert (retry["accepted"], retry["duplicates"]) == (0, 2)
    assert Interaction.objects.count() == 2


def test_oversized_batch_is_refused_whole(browser):
    item = ContentItemFactory()

    response = post_events(browser, [make_event(item.pk) for _ in range(501)])

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "batch_too_large"
    assert response.json()["error"]["extra"] == {"max_events": 500, "received": 501}


def test_oversized_body_is_refused_before_parsing(browser):
    response = browser.post("/api/v1/events", '{"events": []}' + " " * 300_000, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


@pytest.mark.parametrize("body", [[], {"evts": []}, {"events": {"a": 1}}])
def test_body_must_be_an_events_list(browser, body):
    response = browser.post("/api/v1/events", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_batch"


@pytest.mark.parametrize("agent", ["Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.1", ""])
def test_bots_are_counted_apart_and_not_stored(browser, consumer, agent):
    item = ContentItemFactory()

    body = post_events(browser, [make_event(item.pk)], HTTP_USER_AGENT=agent).json()
    consumer.drain()

    assert (body["accepted"], body["bots"]) == (0, 1)
    assert Interaction.objects.count() == 0


def test_events_are_counted_one_by_one_and_a_batch_past_the_rate_is_refused_whole(browser, consumer, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "events": "100/minute"},
    }
    item = ContentItemFactory()

    first = post_events(browser, [make_event(item.pk) for _ in range(60)])
    refused = post_events(browser, [make_event(item.pk) for _ in range(60)])
    consumer.drain()

    assert first.json()["accepted"] == 60
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "throttled"
    assert Interaction.objects.count() == 60


def test_a_full_batch_is_accepted_at_the_default_rates(browser, consumer):
    """The README's batch (up to 500 events) is what the limits let through, in one request."""
    item = ContentItemFactory()

    body = post_events(browser, [make_event(item.pk) for _ in range(500)]).json()
    consumer.drain()

    assert (body["accepted"], body["bots"]) == (500, 0)
    assert Interaction.objects.count() == 500


def test_consent_off_records_nothing(browser, consumer, shopper_of):
    from profiles.services import consent_set

    item = ContentItemFactory()
    consent_set(shopper=shopper_of(browser), personalization=False)

    body = post_events(browser, [make_event(item.pk, "like")]).json()
    consumer.drain()

    assert (body["accepted"], body["not_recorded"]) == (0, 1)
    assert Interaction.objects.count() == 0


def test_store_down_parks_events_in_the_database_and_replay_loses_nothing(browser, settings, consumer):
    from feedsite import realtime

    item = ContentItemFactory()
    events = [make_event(item.pk), make_event(item.pk, "like")]
    redis_url = settings.REDIS_URL
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    realtime.reset_for_tests()

    body = post_events(browser, events).json()
    retry = post_events(browser, events).json()

    assert (body["accepted"], retry["duplicates"]) == (2, 2)
    assert EventBacklog.objects.count() == 2
    settings.REDIS_URL = redis_url
    realtime.reset_for_tests()
    consumer.drain()
    assert EventBacklog.objects.count() == 0
    assert sorted(Interaction.objects.values_list("event_id", flat=True)) == sorted(e["event_id"] for e in events)
