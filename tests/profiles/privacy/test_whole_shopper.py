"""Export and erasure of a shopper who used every feature, built through the site's own APIs and
pages (no rows written by hand): onboarding, consent, feed pages from a trained ranker, events of
every client type, likes, follows, the cart, sign-up (the visitor merged), a comment, a checkout."""

import gzip
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from content.models import Comment
from profiles.events.consumer import EventConsumer
from profiles.events.models import EventBacklog, Interaction
from profiles.events.types import CLIENT_TYPES
from profiles.models import ConsentRecord, Follow, Interest, Like, Shopper
from profiles.privacy import archive
from profiles.privacy.models import ArchivedShopperHour
from profiles.shop.models import CartLine, Order
from ranking.models import FeedRequest
from ranking.training import ranker_train
from tests.factories import ProductFactory
from tests.profiles.events.conftest import BROWSER_UA, make_event
from tests.profiles.privacy.test_services import redis_snapshot, stream_shoppers
from tests.ranking.conftest import ranker_storage, shop  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
JSON = "application/json"
PASSWORD = "Plum-orchard-77"


def archived(root) -> list[tuple[str, int]]:
    """(event id, shopper) of the archive's rows (private storage also holds the ranker's artifacts)."""
    return sorted((row["event_id"], row["shopper_id"]) for row in map(json.loads, _archive_lines(root)))


def _archive_lines(root) -> list[bytes]:
    return [
        line
        for path in (root / "archive").rglob("*.jsonl.gz")
        for line in gzip.decompress(path.read_bytes()).splitlines()
        if line.strip()
    ]


def ok(response, *codes: int):
    assert response.status_code in (codes or (200,)), response.content
    return response


def send_every_event_type(client: Client, page: dict, product_id: int) -> list[str]:
    """One event of each type a client may send, on the page's first card; their ids."""
    card = page["cards"][0]["id"]
    events = [
        make_event(
            card,
            kind,
            request_id=page["request_id"],
            position=0,
            session_id="s-1",
            **({"product": product_id} if kind in ("product_click", "add_to_cart", "purchase") else {}),
            **({"dwell_ms": 4000} if kind == "dwell" else {}),
            **({"value": 50} if kind == "video_progress" else {}),
        )
        for kind in sorted(CLIENT_TYPES)
    ]
    body = ok(client.post("/api/v1/events", {"events": events}, content_type=JSON)).json()
    assert (body["accepted"], body["rejected"]) == (len(events), [])
    return [event["event_id"] for event in events]


@pytest.fixture
def everything_used(shop, ranker_storage, archive_storage, django_capture_on_commit_callbacks):  # noqa: F811
    cats, items, _ = shop
    ranker_train(activate="always", rounds=10)
    product = ProductFactory(stock=50)
    for group in items.values():
        group[0].products.add(product)
    consumer = EventConsumer(name="whole-shopper", block_ms=0)
    client = Client(HTTP_USER_AGENT=BROWSER_UA)

    # As a visitor: onboarding, consent, two feed pages, every event, a like, a follow, the cart.
    ok(client.get("/"), 302)
    ok(client.post("/welcome", {"tags": [cats[0].pk]}), 302)
    ok(client.post("/api/v1/me/consent", {"personalization": True}, content_type=JSON))
    first = ok(client.get("/api/v1/feed", {"limit": 5})).json()
    event_ids = send_every_event_type(client, first, product.pk)
    consumer.drain()
    ok(client.get("/api/v1/feed", {"limit": 5, "cursor": first["next_cursor"]}))
    liked = first["cards"][1]
    ok(client.put(f"/api/v1/items/{liked['id']}/like"))
    ok(client.put(f"/api/v1/creators/{liked['creator']['id']}/follow"))
    ok(client.post("/api/v1/cart/lines", {"product": product.pk, "item": liked["id"]}, content_type=JSON), 201)

    # Signed up: the visitor merged; a comment, a checkout, more of the feed, the cart again.
    signup = {"username": "wren", "email": "wren@example.org", "password1": PASSWORD, "password2": PASSWORD}
    ok(client.post("/signup", signup), 302)
    ok(client.post(f"/api/v1/items/{liked['id']}/comments", {"body": "Love this shade"}, content_type=JSON), 201)
    with django_capture_on_commit_callbacks(execute=True):
        ok(client.post("/checkout", {"shipping_name": "Wren", "shipping_address": "1 Elm Row"}), 302)
    page = ok(client.get("/api/v1/feed", {"limit": 5})).json()
    event_ids += send_every_event_type(client, page, product.pk)
    ok(client.post("/api/v1/cart/lines", {"product": product.pk}, content_type=JSON), 201)
    consumer.drain()
    ok(client.get("/api/v1/feed", {"limit": 5, "cursor": page["next_cursor"]}))
    with django_capture_on_commit_callbacks(execute=True):
        archive.interactions_archive(before=timezone.now() + timedelta(hours=1))

    account = Shopper.objects.get(user__username="wren")
    visitor = Shopper.objects.get(merged_into=account)
    return client, account, visitor, event_ids


def test_a_shopper_who_used_everything_is_exported_whole_then_erased_everywhere(
    everything_used, archive_storage, django_capture_on_commit_callbacks
):
    # One test, export then erasure: building this shopper (a trained ranker first) is the cost.
    client, account, visitor, event_ids = everything_used
    ids, user_id = [account.pk, visitor.pk], account.user_id
    others_archived = [row for row in archived(archive_storage) if row[1] not in ids]
    # Every store holds something of theirs: the archive, the event stream (besides rows and keys).
    assert account.pk in {shopper for _, shopper in archived(archive_storage)}
    assert set(stream_shoppers()) >= set(ids)

    exported = client.get("/api/v1/me/export")
    with django_capture_on_commit_callbacks(execute=True):  # the archive drops replaced files after commit
        erased = client.post("/api/v1/me/erase", {"confirm": "erase"}, content_type=JSON)

    assert exported.status_code == 200
    body = json.loads(exported.content)
    assert body["account"]["user"]["username"] == "wren"
    assert [v["shopper_id"] for v in body["account"]["merged_visitors"]] == [visitor.pk]
    for section in ("consent", "interests", "follows", "likes", "cart", "orders", "comments", "served"):
        assert body[section], section
    assert {row["event_id"] for row in body["interactions"]} >= set(event_ids)
    assert {row["type"] for row in body["interactions"]} >= CLIENT_TYPES
    live = {entry["shopper"]: entry for entry in body["realtime"]}
    assert live.keys() == set(ids)
    assert live[account.pk]["affinities"]
    assert live[account.pk]["recent"]
    # The precomputed candidate list holds packed arrays: exported as base64, not decoded as text.
    precomputed = live[account.pk]["other"][f"rt:s:{account.pk}:pre"]
    assert isinstance(precomputed["version"], str)
    assert set(precomputed["item_indexes"]) == set(precomputed["scores"]) == {"base64"}
    assert erased.status_code == 200
    for model in (Interaction, Follow, Interest, ConsentRecord, FeedRequest, Like, Order, ArchivedShopperHour):
        assert not model.objects.filter(shopper_id__in=ids).exists(), model
    assert not CartLine.objects.filter(cart__shopper_id__in=ids).exists()
    assert not Comment.objects.filter(author_id=user_id).exists()
    assert not EventBacklog.objects.filter(payload__s__in=ids).exists()
    assert not Shopper.objects.filter(pk__in=ids).exists()
    assert not User.objects.filter(pk=user_id).exists()
    assert not [key for key in redis_snapshot() if key.startswith((f"rt:s:{account.pk}:", f"rt:s:{visitor.pk}:"))]
    assert not set(stream_shoppers()) & set(ids)
    assert archived(archive_storage) == others_archived
    assert others_archived  # the other shoppers' archive is still there
    assert "_auth_user_id" not in client.session
