import gzip
import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core import serializers
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token

from content.models import Comment
from feedsite import realtime
from feedsite.errors import ApplicationError
from profiles import services
from profiles.events import state, stream
from profiles.events.meta import item_meta
from profiles.events.models import EventBacklog, Interaction
from profiles.middleware import visitor_id_sign
from profiles.models import ConsentRecord, Follow, Interest, Like, Shopper
from profiles.privacy import archive, erasure, export, signals
from profiles.privacy.actions import erase_shoppers, export_shopper_data
from profiles.privacy.models import ArchivedHour, ArchivedShopperHour, ErasureRecord
from profiles.shop.models import CartLine, Order, OrderLine
from ranking.models import FeedRequest
from tests.factories import (
    CartLineFactory,
    CommentFactory,
    ContentItemFactory,
    FeedRequestFactory,
    FollowFactory,
    InteractionFactory,
    InterestFactory,
    LikeFactory,
    OrderLineFactory,
    ShopperFactory,
    TagFactory,
    UserFactory,
)
from tests.profiles.events.conftest import stream_event

pytestmark = pytest.mark.django_db

H1 = datetime(2026, 3, 4, 10, tzinfo=UTC)
H2 = H1 + timedelta(hours=1)
SHOPPER_ID = 7_654_321
USERNAME = "margarethe"
EMAIL = "margarethe.k@example.org"
MODELS = (
    Interaction,
    Follow,
    Interest,
    ConsentRecord,
    FeedRequest,
    EventBacklog,
    Like,
    CartLine,
    Order,
    OrderLine,
    Comment,
    Shopper,
    User,
    ErasureRecord,
)


@dataclass
class World:
    shopper: Shopper
    visitor: Shopper
    bystander: Shopper
    tag: object
    item: object
    store: dict[int, list[str]]


@pytest.fixture
def test_store():
    """A store of another app, connected to privacy's signals as its ``AppConfig.ready()`` would."""
    data: dict[int, list[str]] = {}

    def exporter(shopper_ids, **kwargs):
        return {"precomputed_feeds": [entry for shopper_id in shopper_ids for entry in data.get(shopper_id, [])]}

    def eraser(shopper_ids, **kwargs):
        return {"precomputed_feeds": sum(len(data.pop(shopper_id, [])) for shopper_id in shopper_ids)}

    signals.shopper_exported.connect(exporter, dispatch_uid="tests.store")
    signals.shopper_erased.connect(eraser, dispatch_uid="tests.store")
    yield data
    signals.shopper_exported.disconnect(dispatch_uid="tests.store")
    signals.shopper_erased.disconnect(dispatch_uid="tests.store")


def _events(shopper, item, *event_ids):
    now = time.time()
    return [stream_event(shopper.pk, item.pk, "like", round(now - n, 3), e) for n, e in enumerate(event_ids)]


@pytest.fixture
def world(archive_storage, test_store, django_capture_on_commit_callbacks) -> World:
    """A signed-in shopper with a merged visitor, and a bystander, with data in every store."""
    tag = TagFactory()
    item = ContentItemFactory(tags=[tag])
    shopper = ShopperFactory(id=SHOPPER_ID, user=UserFactory(username=USERNAME, email=EMAIL))
    visitor = ShopperFactory(user=None, merged_into=shopper)
    bystander = ShopperFactory()
    for who in (shopper, bystander):
        services.consent_set(shopper=who, personalization=True)
        InterestFactory(shopper=who, tag=tag)
        FollowFactory(shopper=who, creator=item.creator)
        FeedRequestFactory(shopper=who)
        LikeFactory(shopper=who, content=item)
        CartLineFactory(cart__shopper=who)
        OrderLineFactory(order__shopper=who)
        CommentFactory(author=who.user, content=item)
    LikeFactory(shopper=visitor, content=ContentItemFactory())
    recent = timezone.now() - timedelta(minutes=5)
    for who, prefix in ((shopper, "m"), (visitor, "v"), (bystander, "b")):
        InteractionFactory(event_id=f"{prefix}-archived", shopper=who, content=item, occurred_at=H1)
        InteractionFactory(event_id=f"{prefix}-both", shopper=who, content=item, occurred_at=H2)
        InteractionFactory(event_id=f"{prefix}-db", shopper=who, content=item, occurred_at=recent)
    with django_capture_on_commit_callbacks(execute=True):
        archive.interactions_archive(before=H2 + timedelta(hours=1))
        archive.interactions_purge(older_than=H2)  # H1 lives only in the archive now
    payloads = [
        *_events(shopper, item, "live-m-1", "live-m-2"),
        *_events(visitor, item, "live-v-1"),
        *_events(bystander, item, "live-b-1"),
    ]
    stream.append(payloads)
    state.apply_events(payloads, item_meta([item.pk]))
    realtime.client().hset(state.shopper_key(shopper.pk, "sess"), mapping={"id": "sess-1", "depth": 3})
    EventBacklog.objects.create(event_id="parked-m", payload=_events(shopper, item, "parked-m")[0].to_wire())
    EventBacklog.objects.create(event_id="parked-b", payload=_events(bystander, item, "parked-b")[0].to_wire())
    test_store.update({shopper.pk: ["feed-m-1", "feed-m-2"], visitor.pk: ["feed-v"], bystander.pk: ["feed-b"]})
    return World(shopper=shopper, visitor=visitor, bystander=bystander, tag=tag, item=item, store=test_store)


def redis_snapshot():
    client = realtime.client()
    found = {}
    for raw in sorted(client.scan_iter(match="rt:*")):
        key = raw.decode()
        kind = client.type(key).decode()
        if kind == "hash":
            found[key] = client.hgetall(key)
        elif kind == "list":
            found[key] = client.lrange(key, 0, -1)
        elif kind == "stream":
            found[key] = client.xrange(key)
        else:
            found[key] = client.get(key)
    return found


def archive_snapshot(root):
    return {
        str(path.relative_to(root)): gzip.decompress(path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def db_snapshot():
    return {
        model.__name__: sorted(json.dumps(row, sort_keys=True, default=str) for row in model.objects.values())
        for model in (*MODELS, ArchivedHour, ArchivedShopperHour)
    }


def everything(root, store):
    return db_snapshot(), redis_snapshot(), archive_snapshot(root), json.dumps(store, sort_keys=True)


def archived_event_ids(root):
    return sorted(
        json.loads(line)["event_id"]
        for content in archive_snapshot(root).values()
        for line in content.splitlines()
        if line.strip()
    )


def stream_shoppers():
    return sorted(json.loads(fields[b"d"])["s"] for _, fields in realtime.client().xrange(stream.STREAM))


def test_export_holds_the_shoppers_data_from_every_store(world):
    exported = export.shopper_export(shopper=world.shopper)

    assert exported["format"] == "feedsite.shopper-export/1"
    assert exported["account"]["shopper_id"] == SHOPPER_ID
    assert exported["account"]["user"]["username"] == USERNAME
    assert exported["account"]["user"]["email"] == EMAIL
    assert [v["shopper_id"] for v in exported["account"]["merged_visitors"]] == [world.visitor.pk]
    assert [c["personalization"] for c in exported["consent"]] == [True]
    assert len(exported["interests"]) == len(exported["follows"]) == 1
    assert len(exported["likes"]) == 2  # the shopper's and the merged visitor's
    assert [line["quantity"] for line in exported["cart"]] == [1]
    assert [len(order["lines"]) for order in exported["orders"]] == [1]
    assert [comment["item"] for comment in exported["comments"]] == [world.item.pk]
    assert [row["event_id"] for row in exported["interactions"]] == [
        "m-archived",  # only in the archive (purged from the database)
        "v-archived",
        "m-both",  # in both, listed once
        "v-both",
        "m-db",
        "v-db",
    ]
    assert [entry["shopper"] for entry in exported["realtime"]] == [SHOPPER_ID, world.visitor.pk]
    assert [r["type"] for r in exported["realtime"][0]["recent"]] == ["like", "like"]
    assert exported["realtime"][0]["other"] == {f"rt:s:{SHOPPER_ID}:sess": {"id": "sess-1", "depth": "3"}}
    assert exported["realtime"][0]["affinities"].keys() == {f"tag:{world.tag.pk}", f"creator:{world.item.creator_id}"}
    assert [s["request_id"] for s in exported["served"]] == [
        str(FeedRequest.objects.get(shopper=world.shopper).request_id)
    ]
    assert exported["precomputed_feeds"] == ["feed-m-1", "feed-m-2", "feed-v"]


def test_export_has_no_password_hash_and_no_bystander(world):
    text = json.dumps(export.shopper_export(shopper=world.shopper))

    assert "password" not in text
    assert world.shopper.user.password not in text
    assert "b-db" not in text
    assert "feed-b" not in text


def test_erasure_reaches_every_store(world, archive_storage, django_capture_on_commit_callbacks):
    ids = [SHOPPER_ID, world.visitor.pk]
    user_id = world.shopper.user_id

    with django_capture_on_commit_callbacks(execute=True):
        report = erasure.shopper_erase(shopper=world.shopper, requested_by="admin:root")

    assert report.stores == {
        "event_stream": 3,
        "realtime_keys": 5,  # aff, recent and sess of the shopper, aff and recent of the visitor
        "precomputed_feeds": 3,
        "archived_interactions": 4,
        "interactions": 4,
        "follows": 1,
        "interests": 1,
        "consent_records": 1,
        "event_backlog": 1,
        "likes": 2,
        "cart_lines": 1,
        "stock_alerts": 0,
        "messages": 0,
        "message_preferences": 0,
        "orders": 1,
        "comments": 1,
        "served_log": 1,
        "admin_log": 0,
        "shoppers": 2,
        "users": 1,
    }
    for model in (Interaction, Follow, Interest, ConsentRecord, FeedRequest, Like, Order):
        assert not model.objects.filter(shopper_id__in=ids).exists()
    assert list(CartLine.objects.values_list("cart__shopper_id", flat=True)) == [world.bystander.pk]
    assert list(Comment.objects.values_list("author_id", flat=True)) == [world.bystander.user_id]
    assert list(OrderLine.objects.values_list("order__shopper_id", flat=True)) == [world.bystander.pk]
    assert not Shopper.objects.filter(pk__in=ids).exists()
    assert not User.objects.filter(pk=user_id).exists()
    assert list(EventBacklog.objects.values_list("event_id", flat=True)) == ["parked-b"]
    assert [key for key in redis_snapshot() if key.startswith("rt:s:")] == [
        f"rt:s:{world.bystander.pk}:aff",
        f"rt:s:{world.bystander.pk}:recent",
    ]
    assert stream_shoppers() == [world.bystander.pk]
    assert archived_event_ids(archive_storage) == ["b-archived", "b-both"]
    assert not ArchivedShopperHour.objects.filter(shopper_id__in=ids).exists()
    assert world.store == {world.bystander.pk: ["feed-b"]}
    assert sorted(Interaction.objects.values_list("event_id", flat=True)) == ["b-both", "b-db"]


def test_a_second_erasure_changes_nothing(world, archive_storage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erasure.shopper_erase(shopper=world.shopper, requested_by="admin:root")
    after_first = everything(archive_storage, world.store)

    with django_capture_on_commit_callbacks(execute=True):
        again = erasure.shopper_erase(shopper=world.shopper, requested_by="admin:someone-else")

    assert everything(archive_storage, world.store) == after_first
    assert set(again.stores.values()) == {0}
    assert ErasureRecord.objects.get().requested_by == "admin:root"


def test_an_interrupted_erasure_is_finished_by_running_it_again(world, archive_storage):
    def broken(shopper_ids, **kwargs):
        raise ConnectionError("feed store down")

    def fixed(shopper_ids, **kwargs):
        return {"precomputed_feeds": 0}

    signals.shopper_erased.disconnect(dispatch_uid="tests.store")
    signals.shopper_erased.connect(broken, dispatch_uid="tests.store")
    with pytest.raises(ConnectionError):
        erasure.shopper_erase(shopper=world.shopper, requested_by="admin:root")
    assert ErasureRecord.objects.get().completed_at is None
    assert Interaction.objects.filter(shopper=world.shopper).exists()  # the database's deletions rolled back

    signals.shopper_erased.disconnect(dispatch_uid="tests.store")
    signals.shopper_erased.connect(fixed, dispatch_uid="tests.store")
    erasure.shopper_erase(shopper=world.shopper, requested_by="admin:root")

    record = ErasureRecord.objects.get()
    assert record.completed_at is not None
    assert not Shopper.objects.filter(pk__in=[SHOPPER_ID, world.visitor.pk]).exists()
    assert record.stores["event_stream"] == 3
    assert record.stores["interactions"] == 4


def test_the_erasure_record_holds_nothing_about_the_person(world):
    erasure.shopper_erase(shopper=world.shopper, requested_by="admin:root")

    record = ErasureRecord.objects.get()
    fields = json.loads(serializers.serialize("json", [record]))[0]["fields"]
    # The hash, the times and the per-store counts are digits that may contain an id's by chance
    # (a visitor 79 "in" a hash ...1557906...): the stores must be counts, the rest names nobody.
    assert all(isinstance(count, int) for count in fields.pop("stores").values())
    named = json.dumps({k: v for k, v in fields.items() if k not in ("subject_ref", "requested_at", "completed_at")})
    for personal in (str(SHOPPER_ID), str(world.visitor.pk), USERNAME, EMAIL, str(world.shopper.visitor_id)):
        assert personal not in named
    assert record.subject_ref == erasure.subject_ref(SHOPPER_ID)
    assert record.subject_ref != erasure.subject_ref(SHOPPER_ID + 1)
    assert len(record.subject_ref) == 64
    assert record.requested_by == "admin:root"
    assert record.completed_at is not None


def test_erasure_with_the_real_time_store_down_changes_nothing(world, archive_storage, settings):
    before_db, before_files = db_snapshot(), archive_snapshot(archive_storage)
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    realtime.reset_for_tests()

    with pytest.raises(erasure.PrivacyStoreUnavailable):
        erasure.shopper_erase(shopper=world.shopper, requested_by="admin:root")

    assert db_snapshot() == before_db
    assert archive_snapshot(archive_storage) == before_files


def test_erasing_a_staff_account_is_refused_and_changes_nothing(world, archive_storage):
    User.objects.filter(pk=world.shopper.user_id).update(is_staff=True)
    before = everything(archive_storage, world.store)

    with pytest.raises(ApplicationError) as refused:
        erasure.shopper_erase(shopper=world.shopper, requested_by="admin:root")

    assert refused.value.code == "staff_account"
    assert everything(archive_storage, world.store) == before


# The API: a visitor known by cookie, a user by token.


def visitor_client(**kwargs):
    shopper = services.shopper_for_visitor(visitor_id=uuid.uuid4())
    client = Client(**kwargs)
    client.cookies["fs_vid"] = visitor_id_sign(shopper.visitor_id)
    return client, shopper


def visitor_id_read_from(response):
    """The visitor id a response's cookie gives the browser (None: none given)."""
    cookie = response.cookies.get("fs_vid")
    return None if cookie is None or not cookie.value else uuid.UUID(cookie.value.rsplit(":", 1)[0])


def test_export_endpoint_answers_the_visitors_own_data(archive_storage):
    client, shopper = visitor_client()
    InteractionFactory(event_id="mine-1", shopper=shopper)
    InteractionFactory(event_id="not-mine")

    body = client.get("/api/v1/me/export").json()

    assert body["account"]["shopper_id"] == shopper.pk
    assert body["account"]["user"] is None
    assert [row["event_id"] for row in body["interactions"]] == ["mine-1"]


def test_export_endpoint_serves_a_token_user(archive_storage):
    shopper = ShopperFactory(user=UserFactory(username=USERNAME))
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=shopper.user).key}")

    body = client.get("/api/v1/me/export").json()

    assert (body["account"]["shopper_id"], body["account"]["user"]["username"]) == (shopper.pk, USERNAME)


def test_an_old_visitor_cookie_exports_nothing_of_the_account_it_was_merged_into(archive_storage):
    client, visitor = visitor_client()
    InteractionFactory(event_id="before-sign-in", shopper=visitor)
    user = UserFactory(username=USERNAME)
    services.shopper_merge_visitor(visitor_id=visitor.visitor_id, user=user)
    before = db_snapshot()

    response = client.get("/api/v1/me/export")

    body = response.json()
    assert response.status_code == 200
    assert (body["account"]["shopper_id"], body["account"]["user"], body["interactions"]) == (None, None, [])
    assert USERNAME not in response.content.decode()
    assert db_snapshot() == before
    assert visitor_id_read_from(response) not in (None, visitor.visitor_id)  # a new identity


def test_an_old_visitor_cookie_erases_nothing_of_the_account_it_was_merged_into(archive_storage):
    client, visitor = visitor_client()
    InteractionFactory(shopper=visitor)
    user = UserFactory()
    services.shopper_merge_visitor(visitor_id=visitor.visitor_id, user=user)
    before = db_snapshot()

    response = client.post("/api/v1/me/erase", {"confirm": "erase"}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["stores"] == {}
    assert db_snapshot() == before
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize("body", [{}, {"confirm": ""}, {"confirm": "yes"}, {"confirm": "ERASE"}])
def test_erase_endpoint_refuses_without_confirmation_and_changes_nothing(archive_storage, body):
    client, shopper = visitor_client()
    InteractionFactory(shopper=shopper)
    state.apply_events(_events(shopper, ContentItemFactory(), "live-1"), {})
    before = db_snapshot(), redis_snapshot()

    response = client.post("/api/v1/me/erase", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "confirmation_required"
    assert (db_snapshot(), redis_snapshot()) == before


def test_erase_endpoint_needs_the_csrf_token_of_a_cookie_visitor(archive_storage):
    client, shopper = visitor_client(enforce_csrf_checks=True)
    InteractionFactory(shopper=shopper)
    before = db_snapshot()

    response = client.post("/api/v1/me/erase", {"confirm": "erase"}, content_type="application/json")

    assert response.status_code == 403
    assert db_snapshot() == before


def test_erase_endpoint_erases_the_visitor_and_forgets_the_cookie(archive_storage):
    client, shopper = visitor_client()
    InteractionFactory.create_batch(2, shopper=shopper)

    response = client.post("/api/v1/me/erase", {"confirm": "erase"}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["stores"]["interactions"] == 2
    assert response.json()["stores"]["shoppers"] == 1
    assert not Shopper.objects.filter(pk=shopper.pk).exists()
    assert response.cookies["fs_vid"].value == ""
    assert ErasureRecord.objects.get().requested_by == "self-service"


def test_erase_endpoint_signs_the_user_out_and_deletes_the_account(archive_storage):
    shopper = ShopperFactory()
    client = Client()
    # As stored: UserFactory sets the password after saving, so the instance's hash is not the row's.
    client.force_login(User.objects.get(pk=shopper.user_id))

    response = client.post("/api/v1/me/erase", {"confirm": "erase"}, content_type="application/json")

    assert response.status_code == 200
    assert not User.objects.filter(pk=shopper.user_id).exists()
    assert "_auth_user_id" not in client.session


# Admin actions (to be listed in ShopperAdmin.actions).


def admin_request(user, data=None):
    request = RequestFactory().post("/admin/profiles/shopper/", data or {})
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.fixture
def shopper_admin():
    return admin.site._registry[Shopper]


def test_admin_export_downloads_the_shoppers_json(world, shopper_admin):
    superuser = UserFactory(is_staff=True, is_superuser=True)

    response = export_shopper_data(shopper_admin, admin_request(superuser), Shopper.objects.filter(pk=SHOPPER_ID))

    assert response["Content-Disposition"] == f'attachment; filename="shopper-{SHOPPER_ID}-export.json"'
    assert json.loads(response.content)["account"]["user"]["email"] == EMAIL


def test_admin_erase_asks_for_confirmation_first_and_changes_nothing(world, shopper_admin, archive_storage):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    before = everything(archive_storage, world.store)

    response = erase_shoppers(shopper_admin, admin_request(superuser), Shopper.objects.filter(pk=SHOPPER_ID))
    response.render()

    assert response.template_name == "admin/profiles/shopper/erase_confirmation.html"
    assert f'name="_selected_action" value="{SHOPPER_ID}"' in response.content.decode()
    assert 'name="action" value="erase_shoppers"' in response.content.decode()
    assert everything(archive_storage, world.store) == before


def test_admin_erase_needs_the_delete_permission(world, shopper_admin, archive_storage):
    staff = UserFactory(is_staff=True)
    before = everything(archive_storage, world.store)
    request = admin_request(staff, {"post": "yes"})

    erase_shoppers(shopper_admin, request, Shopper.objects.filter(pk=SHOPPER_ID))

    assert [str(m) for m in get_messages(request)] == ["Erasing shoppers needs the “Can delete shopper” permission."]
    assert everything(archive_storage, world.store) == before


def test_admin_erase_confirmed_erases_and_records_the_admin(world, shopper_admin):
    superuser = UserFactory(is_staff=True, is_superuser=True, username="root")
    request = admin_request(superuser, {"post": "yes"})

    erase_shoppers(shopper_admin, request, Shopper.objects.filter(pk=SHOPPER_ID))

    assert not Shopper.objects.filter(pk=SHOPPER_ID).exists()
    assert ErasureRecord.objects.get().requested_by == "admin:root"
    assert [str(m) for m in get_messages(request)] == ["Erased 1 shopper(s); each has an erasure record."]


@pytest.mark.django_db
def test_shopper_admin_offers_export_and_erase_actions(admin_client):
    response = admin_client.get("/admin/profiles/shopper/")

    actions = [value for value, _ in response.context["action_form"].fields["action"].choices]
    assert "export_shopper_data" in actions
    assert "erase_shoppers" in actions
