"""Anonymous visitors with no write for VISITOR_RETENTION_DAYS are erased from every store."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from feedsite import realtime
from profiles.events import state, stream
from profiles.events.meta import item_meta
from profiles.events.models import Interaction
from profiles.models import Like, Shopper
from profiles.privacy import archive, tasks
from profiles.privacy.models import ErasureRecord
from profiles.shop.models import CartLine
from ranking.models import FeedRequest
from tests.factories import (
    CartLineFactory,
    ContentItemFactory,
    FeedRequestFactory,
    InteractionFactory,
    LikeFactory,
    ShopperFactory,
)
from tests.profiles.events.conftest import stream_event
from tests.profiles.privacy.test_services import archived_event_ids, redis_snapshot, stream_shoppers

pytestmark = pytest.mark.django_db


def visitor(days_idle: int | None, *, last_seen: bool = True, **fields) -> Shopper:
    """An anonymous shopper created ``days_idle`` days ago and, with ``last_seen``, last seen then."""
    shopper = ShopperFactory(user=None, **fields)
    if days_idle is not None:
        then = timezone.now() - timedelta(days=days_idle)
        Shopper.objects.filter(pk=shopper.pk).update(created_at=then, last_seen_at=then if last_seen else None)
    return shopper


def with_data(shopper: Shopper, item) -> Shopper:
    """``shopper`` with something in every store: rows, served log, archive, stream, real-time keys."""
    LikeFactory(shopper=shopper, content=item)
    CartLineFactory(cart__shopper=shopper)
    FeedRequestFactory(shopper=shopper)
    InteractionFactory(
        event_id=f"old-{shopper.pk}", shopper=shopper, content=item, occurred_at=timezone.now() - timedelta(days=40)
    )
    event = stream_event(shopper.pk, item.pk, "like", time.time(), f"live-{shopper.pk}")
    stream.append([event])
    state.apply_events([event], item_meta([item.pk]))
    return shopper


@pytest.fixture
def shoppers(archive_storage, django_capture_on_commit_callbacks):
    item = ContentItemFactory()
    account = ShopperFactory()
    found = {
        "idle visitor": with_data(visitor(31), item),
        "idle, never seen": visitor(31, last_seen=False),
        "active visitor": with_data(visitor(29), item),
        "created long ago, seen lately": visitor(None, created_at=timezone.now()),
        "merged into an account": with_data(visitor(90, merged_into=account), item),
        "dataset shopper": visitor(90, external_id="u-17"),
        "account": with_data(account, item),
    }
    Shopper.objects.filter(pk=found["created long ago, seen lately"].pk).update(
        created_at=timezone.now() - timedelta(days=300), last_seen_at=timezone.now() - timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        archive.interactions_archive(before=timezone.now())
    return found


def test_idle_anonymous_visitors_are_erased_from_every_store(
    shoppers, archive_storage, django_capture_on_commit_callbacks
):
    gone = [shoppers["idle visitor"].pk, shoppers["idle, never seen"].pk]
    kept = sorted(s.pk for name, s in shoppers.items() if s.pk not in gone)
    with_data_kept = [shoppers[n].pk for n in ("active visitor", "merged into an account", "account")]

    with django_capture_on_commit_callbacks(execute=True):  # the archive drops replaced files after commit
        counts = tasks.expire_visitors.apply().get()

    assert counts["visitors"] == 2
    assert (counts["event_stream"], counts["archived_interactions"], counts["served_log"]) == (1, 1, 1)
    assert (counts["interactions"], counts["likes"], counts["cart_lines"]) == (1, 1, 1)
    assert counts["realtime_keys"] == 2  # aff and recent of the idle visitor
    assert sorted(Shopper.objects.values_list("pk", flat=True)) == kept
    for model in (Interaction, Like, FeedRequest):
        assert sorted(model.objects.values_list("shopper_id", flat=True)) == sorted(with_data_kept)
    assert sorted(CartLine.objects.values_list("cart__shopper_id", flat=True)) == sorted(with_data_kept)
    assert stream_shoppers() == sorted(with_data_kept)
    assert sorted({key.split(":")[2] for key in redis_snapshot() if key.startswith("rt:s:")}) == sorted(
        str(pk) for pk in with_data_kept
    )
    assert archived_event_ids(archive_storage) == sorted(f"old-{pk}" for pk in with_data_kept)
    assert not ErasureRecord.objects.exists()  # retention, not a request: no record per visitor


def test_expiring_twice_changes_nothing_the_second_time(shoppers):
    tasks.expire_visitors.apply().get()
    rows, keys = sorted(Shopper.objects.values_list("pk", flat=True)), redis_snapshot()

    again = tasks.expire_visitors.apply().get()

    assert again == {"visitors": 0}
    assert (sorted(Shopper.objects.values_list("pk", flat=True)), redis_snapshot()) == (rows, keys)


def test_the_retention_is_the_settings(shoppers, settings):
    settings.VISITOR_RETENTION_DAYS = 32

    counts = tasks.expire_visitors.apply().get()

    assert counts == {"visitors": 0}
    assert Shopper.objects.count() == len(shoppers)


def test_expiry_with_the_real_time_store_down_deletes_nothing(shoppers, settings):
    before = sorted(Shopper.objects.values_list("pk", flat=True))
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    realtime.reset_for_tests()

    with pytest.raises(realtime.RealtimeUnavailable):
        tasks.expire_visitors.apply().get()

    assert sorted(Shopper.objects.values_list("pk", flat=True)) == before


def test_expiry_runs_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["profiles-visitors-expire"]

    assert entry["task"] == tasks.expire_visitors.name == "profiles.privacy.visitors_expire"
