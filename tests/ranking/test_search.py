"""Search: matching on PostgreSQL and the embedded default, the API, personalization, search intent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from content.models import ContentItem
from content.search import clean_query, search_hits
from feedsite.errors import ApplicationError
from profiles.events import state
from profiles.events.consumer import EventConsumer
from profiles.events.search import intent_weights
from ranking.intent import intent_lift
from ranking.search import personal_factor
from tests.factories import BrandFactory, ContentItemFactory, CreatorFactory, ProductFactory, TagFactory
from tests.profiles.conftest import visitor_of
from tests.profiles.events.conftest import BROWSER_UA, make_event

pytestmark = pytest.mark.django_db

BOTH = [
    pytest.param(False, id="python"),
    pytest.param(True, id="postgresql", marks=pytest.mark.postgresql_only),
]


@pytest.fixture
def catalog():
    glowra, north = BrandFactory(name="Glowra"), BrandFactory(name="Northwind")
    serum = ProductFactory(title="Vitamin C serum", brand=glowra)
    hydra = ProductFactory(title="Hydrating face serum", brand=north)
    scarf = ProductFactory(title="Wool scarf", brand=north)
    ana = CreatorFactory(handle="anabeauty", display_name="Ana Beauty")
    skincare = TagFactory(slug="skincare", name="Skincare")
    post = ContentItemFactory(creator=ana, caption="My morning routine with a vitamin serum", tags=[skincare])
    return {
        "glowra": glowra,
        "north": north,
        "serum": serum,
        "hydra": hydra,
        "scarf": scarf,
        "ana": ana,
        "skincare": skincare,
        "post": post,
    }


def _found(hits):
    return [(h.type, h.pk) for h in hits]


@pytest.mark.parametrize("postgres", BOTH)
def test_the_best_match_comes_first_and_unrelated_rows_are_not_found(catalog, postgres):
    hits = search_hits("vitamin c serum", postgres=postgres)

    assert _found(hits)[0] == ("product", catalog["serum"].pk)
    assert ("post", catalog["post"].pk) in _found(hits)
    assert ("product", catalog["scarf"].pk) not in _found(hits)


@pytest.mark.parametrize("postgres", BOTH)
@pytest.mark.parametrize(("typed", "wanted"), [("vitamn", "serum"), ("glowraa", "serum"), ("skincar", "skincare")])
def test_a_typo_still_finds_its_word(catalog, postgres, typed, wanted):
    found = _found(search_hits(typed, postgres=postgres))

    kind = "tag" if wanted == "skincare" else "product"
    assert (kind, catalog[wanted].pk) in found
    assert ("product", catalog["scarf"].pk) not in found


@pytest.mark.postgresql_only
@pytest.mark.parametrize("query", ["serum", "ana beauty", "wool scarf", "vitamn"])
def test_postgresql_and_the_embedded_default_agree_on_the_best_match(catalog, query):
    assert _found(search_hits(query, postgres=True))[:1] == _found(search_hits(query, postgres=False))[:1]


@pytest.mark.parametrize(
    ("raw", "code"), [("", "empty_query"), ("  \x00\x07 ", "empty_query"), ("x" * 101, "query_too_long")]
)
def test_a_bad_query_is_refused_with_its_reason(raw, code):
    with pytest.raises(ApplicationError) as refused:
        clean_query(raw)
    assert refused.value.code == code


def test_control_characters_are_stripped():
    assert clean_query("se\x00rum\n\t cream\x1b") == "serum cream"


def test_personal_factor_is_bounded_both_ways():
    assert personal_factor(("brand:1",), {}) == 1.0
    assert 1.49 < personal_factor(("brand:1",), {"brand:1": 1e6}) <= 1.5
    assert 0.75 <= personal_factor(("brand:1",), {"brand:1": -1e6}) < 0.76


@pytest.fixture
def browser():
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.get("/api/v1/feed")
    return client


def test_the_api_answers_typed_cards(browser, catalog):
    body = browser.get("/api/v1/search", {"q": "vitamin serum"}).json()

    first = body["results"][0]
    assert first == {
        "type": "product",
        "id": catalog["serum"].pk,
        "title": "Vitamin C serum",
        "brand": "Glowra",
        "price": "19.90",
        "currency": "EUR",
        "in_stock": True,
        "thumbnail": "",
        "url": f"/p/{catalog['serum'].pk}",
    }
    post = next(r for r in body["results"] if r["type"] == "post")
    assert (post["id"], post["url"], post["creator"]) == (catalog["post"].pk, f"/c/{catalog['post'].pk}", "anabeauty")
    assert body["next_cursor"] is None


def test_products_and_posts_carry_the_still_of_a_post_showing_them(browser, catalog):
    look = ContentItemFactory(caption="Glowra haul", media="looks/glowra.jpg", products=[catalog["serum"]])
    video = ContentItemFactory(
        kind=ContentItem.Kind.VIDEO, caption="Vitamin glow in motion", media="looks/v.mp4", poster="looks/v.jpg"
    )

    results = [r for q in ("serum", "vitamin glow") for r in browser.get("/api/v1/search", {"q": q}).json()["results"]]
    stills = {(r["type"], r["id"]): r.get("thumbnail") for r in results}

    assert stills[("product", catalog["serum"].pk)] == look.media.url
    assert stills[("post", video.pk)] == video.poster.url
    assert stills[("product", catalog["hydra"].pk)] == ""


def test_the_results_page_shows_stills_and_prices_as_the_rest_of_the_site(browser, catalog):
    look = ContentItemFactory(caption="Glowra haul", media="looks/glowra.jpg", products=[catalog["serum"]])
    catalog["hydra"].price, catalog["hydra"].currency = Decimal("1234.5"), "CHF"
    catalog["hydra"].save()

    html = browser.get("/search", {"q": "serum"}).content.decode()

    assert f'<img class="search-result__thumb" src="{look.media.url}" alt=""' in html
    assert '<span class="price">€19.90</span>' in html
    assert '<span class="price">1,234.50 CHF</span>' in html
    assert "19.90 EUR" not in html


@pytest.mark.parametrize(("q", "code"), [("", "empty_query"), ("   ", "empty_query"), ("a" * 101, "query_too_long")])
def test_the_api_refuses_a_bad_query_and_changes_nothing(browser, catalog, q, code):
    shopper = visitor_of(browser)
    response = browser.get("/api/v1/search", {"q": q})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert state.shopper_intent(shopper.pk) == {}


@pytest.mark.parametrize("q", ["!!!", "?", "-- ;"])
def test_a_query_of_only_punctuation_finds_nothing(browser, catalog, q):
    response = browser.get("/api/v1/search", {"q": q})

    assert (response.status_code, response.json()["results"]) == (200, [])


def test_pages_follow_the_cursor_without_repeats(browser):
    products = [ProductFactory(title=f"Glow serum {n}") for n in range(25)]

    first = browser.get("/api/v1/search", {"q": "serum"}).json()
    second = browser.get("/api/v1/search", {"q": "serum", "cursor": first["next_cursor"]}).json()

    ids = [r["id"] for r in first["results"] + second["results"]]
    assert (len(first["results"]), len(second["results"]), second["next_cursor"]) == (20, 5, None)
    assert sorted(ids) == sorted(p.pk for p in products)


def test_a_cursor_of_another_query_is_refused(browser):
    ProductFactory.create_batch(25, title="Glow serum")
    first = browser.get("/api/v1/search", {"q": "serum"}).json()

    response = browser.get("/api/v1/search", {"q": "glow", "cursor": first["next_cursor"]})

    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_cursor")


def test_a_shoppers_affinities_lift_their_brands_matches(browser, catalog):
    liked = ContentItemFactory(brand=catalog["north"])
    before = browser.get("/api/v1/search", {"q": "serum"}).json()["results"]
    assert (
        browser.post(
            "/api/v1/events", {"events": [make_event(liked.pk, "like")]}, content_type="application/json"
        ).json()["accepted"]
        == 1
    )
    EventConsumer(name="test-consumer", block_ms=0).drain()

    after = browser.get("/api/v1/search", {"q": "serum"}).json()["results"]

    products = lambda results: [r["id"] for r in results if r["type"] == "product"]  # noqa: E731
    assert products(before)[:2] == [catalog["serum"].pk, catalog["hydra"].pk]
    assert products(after)[:2] == [catalog["hydra"].pk, catalog["serum"].pk]


def _search_event(query, **extra):
    event = make_event(1, "search") | {"query": query} | extra
    del event["item"]
    return event


def test_a_search_event_becomes_intent_on_what_it_found(browser, catalog):
    shopper = visitor_of(browser)
    event = _search_event("northwind")

    first = browser.post("/api/v1/events", {"events": [event]}, content_type="application/json").json()
    again = browser.post("/api/v1/events", {"events": [event]}, content_type="application/json").json()

    assert (first["accepted"], first["rejected"], again["accepted"], again["duplicates"]) == (1, [], 0, 1)
    intent = state.shopper_intent(shopper.pk)
    assert intent[f"brand:{catalog['north'].pk}"] == pytest.approx(1.0, abs=0.01)
    assert f"brand:{catalog['glowra'].pk}" not in intent


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"item": 5}, "unexpected_item"),
        ({"query": ""}, "invalid_query"),
        ({"query": "x" * 101}, "invalid_query"),
        ({"query": 3}, "invalid_query"),
    ],
)
def test_a_bad_search_event_is_rejected_and_adds_no_intent(browser, catalog, extra, reason):
    shopper = visitor_of(browser)
    event = _search_event("northwind") | extra

    body = browser.post("/api/v1/events", {"events": [event]}, content_type="application/json").json()

    assert (body["accepted"], [r["reason"] for r in body["rejected"]]) == (0, [reason])
    assert state.shopper_intent(shopper.pk) == {}


def test_intent_weights_are_bounded_by_one_search(catalog):
    weights = intent_weights("serum")
    assert max(weights.values()) == pytest.approx(1.0)
    assert all(0 < w <= 1.0 for w in weights.values())


def test_after_searching_a_brand_the_next_feed_page_ranks_its_items_higher(browser, catalog):
    week_ago = timezone.now() - timedelta(days=7)
    ContentItemFactory.create_batch(8, engagement=50)
    northwind = {ContentItemFactory(brand=catalog["north"], engagement=0, published_at=week_ago).pk for _ in range(2)}
    before = [c["id"] for c in _new_feed_session(browser).get("/api/v1/feed", {"limit": 4}).json()["cards"]]

    accepted = browser.post(
        "/api/v1/events", {"events": [_search_event("Northwind")]}, content_type="application/json"
    ).json()["accepted"]
    after = _new_feed_session(browser).get("/api/v1/feed", {"limit": 4}).json()["cards"]

    assert accepted == 1
    assert not set(before) & northwind
    assert {c["id"] for c in after[:2]} == northwind
    assert [c["reason"]["code"] for c in after[:2]] == ["search", "search"]


def _new_feed_session(browser):
    """The same shopper (their cookies), with no page served yet in this feed session."""
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.cookies = browser.cookies
    return client


def test_without_consent_a_search_event_is_not_recorded_and_search_is_not_personal(browser, catalog):
    shopper = visitor_of(browser)
    shopper.personalization = False
    shopper.save(update_fields=["personalization"])
    state.shopper_intent_add(shopper.pk, {f"brand:{catalog['north'].pk}": 5.0})  # left from before the refusal

    body = browser.post("/api/v1/events", {"events": [_search_event("glowra")]}, content_type="application/json")
    results = browser.get("/api/v1/search", {"q": "serum"}).json()["results"]

    assert (body.json()["accepted"], body.json()["not_recorded"]) == (0, 1)
    assert set(state.shopper_intent(shopper.pk)) == {f"brand:{catalog['north'].pk}"}
    assert [r["id"] for r in results if r["type"] == "product"][:2] == [catalog["serum"].pk, catalog["hydra"].pk]


@pytest.mark.parametrize(
    ("q", "status", "shown"),
    [
        ("", 200, "<h1>Search</h1>"),
        ("x" * 101, 400, "A search is at most 100 characters."),
        ("!!!", 200, "Nothing matches “!!!”."),
        ("vitamin", 200, '<a href="/p/{serum}">Vitamin C serum</a>'),
    ],
)
def test_the_results_page_answers_every_query(browser, catalog, q, status, shown):
    response = browser.get("/search", {"q": q})

    assert response.status_code == status
    assert shown.format(serum=catalog["serum"].pk) in response.content.decode()


def test_searching_past_the_rate_is_refused(browser, catalog, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "search": "2/minute"},
    }

    answers = [browser.get("/api/v1/search", {"q": "serum"}) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["error"]["code"] == "throttled"


@pytest.mark.parametrize(
    ("intent", "lift"),
    [({}, 0.0), ({"brand:4": 0.4}, 0.2), ({"brand:4": 9.0, "creator:7": 9.0}, 1.0), ({"brand:5": 9.0}, 0.0)],
)
def test_a_ranked_candidates_lift_from_intent_is_bounded(intent, lift):
    assert intent_lift(intent, brand=4, creator=7) == pytest.approx(lift)
