import threading

import pytest
from django.db import connection, transaction

from profiles.events import writer
from profiles.events.event import Event
from profiles.events.models import Interaction
from tests.factories import ContentItemFactory, ProductFactory, ShopperFactory
from tests.profiles.events.conftest import stream_event


def _payloads(shopper: int, item: int, n: int) -> list[Event]:
    return [stream_event(shopper, item, "view", 1_700_000_000.0 + i, f"race-{i:04d}") for i in range(n)]


@pytest.mark.django_db
def test_writing_a_batch_again_stores_nothing_new():
    payloads = _payloads(ShopperFactory().pk, ContentItemFactory().pk, 5)

    assert writer.interactions_write(payloads) == payloads
    again = _payloads(payloads[0].shopper_id, payloads[0].item_id, 7)[5:]
    assert writer.interactions_write(payloads[2:] + again) == again
    assert Interaction.objects.count() == 7


def _stored() -> list[tuple]:
    fields = [f.attname for f in Interaction._meta.concrete_fields if f.attname not in ("id", "received_at")]
    return list(Interaction.objects.order_by("event_id").values_list(*fields))


@pytest.mark.django_db
def test_the_copy_insert_stores_what_bulk_create_stores():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    shopper, item, product = ShopperFactory(), ContentItemFactory(), ProductFactory()
    context = {"device": "mobile", "viewport": [390, 844], "surface": "feed"}
    full = dict(session_id="s-1", request_id="r-1", position=3, dwell_ms=4200, value=2.5, product_id=product.pk)
    events = [
        stream_event(shopper.pk, item.pk, "add_to_cart", 1_700_000_000.123, "all-fields", context=context, **full),
        stream_event(shopper.pk, item.pk, "view", 1_700_000_001.0, "bare"),
        stream_event(shopper.pk, item.pk, "purchase", 1_700_000_002.0, "gone-product", product_id=999_999_999),
        stream_event(999_999_999, item.pk, "view", 1_700_000_003.0, "gone-shopper"),
        stream_event(shopper.pk, 999_999_999, "view", 1_700_000_004.0, "gone-item"),
        stream_event(shopper.pk, item.pk, "like", 1_700_000_005.0, "stored-before"),
    ]
    stored = {}
    for insert in (writer.interactions_insert_copy, writer.interactions_insert_orm):
        Interaction.objects.all().delete()
        writer.interactions_write(events[-1:])
        with transaction.atomic():
            new = insert(events)
        stored[insert.__name__] = (new, _stored())

    new, rows = stored["interactions_insert_orm"]
    assert stored["interactions_insert_copy"] == (new, rows)
    assert (new, [row[0] for row in rows]) == (
        {"all-fields", "bare", "gone-product"},
        ["all-fields", "bare", "gone-product", "stored-before"],
    )


def _wait_for_a_blocked_writer() -> bool:
    """True once another session waits on a lock (the second writer on our uncommitted rows)."""
    with connection.cursor() as cursor:
        for _ in range(500):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # activity is otherwise frozen per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
            threading.Event().wait(0.01)
    return False


@pytest.mark.postgresql_only  # the anti-join fast path and its fallback are PostgreSQL's
@pytest.mark.django_db(transaction=True)
def test_two_consumers_writing_the_same_entries_at_once_store_them_once():
    """The second writer blocks on the first one's uncommitted rows, then collides and falls back."""
    payloads = _payloads(ShopperFactory().pk, ContentItemFactory().pk, 10)
    first_wrote, second_started = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = [e.event_id for e in writer.interactions_write(payloads)]
                first_wrote.set()
                second_started.wait(5)
                results["second_waited"] = _wait_for_a_blocked_writer()
        finally:
            connection.close()

    def second() -> None:
        first_wrote.wait(5)
        second_started.set()
        try:
            written = writer.interactions_write(
                payloads[5:] + _payloads(payloads[0].shopper_id, payloads[0].item_id, 12)[10:]
            )
            results["second"] = [e.event_id for e in written]
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert results == {
        "first": [e.event_id for e in payloads],
        "second_waited": True,
        "second": ["race-0010", "race-0011"],
    }
    assert Interaction.objects.count() == 12
