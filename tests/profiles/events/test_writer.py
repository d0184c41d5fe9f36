import threading

import pytest
from django.db import connection, transaction

from profiles.events import writer
from profiles.events.models import Interaction
from tests.factories import ContentItemFactory, ShopperFactory


def _payloads(shopper: int, item: int, n: int) -> list[dict]:
    return [{"e": f"race-{i:04d}", "t": "view", "i": item, "s": shopper, "ts": 1_700_000_000.0 + i} for i in range(n)]


@pytest.mark.django_db
def test_writing_a_batch_again_stores_nothing_new():
    payloads = _payloads(ShopperFactory().pk, ContentItemFactory().pk, 5)

    assert writer.interactions_write(payloads) == 5
    assert writer.interactions_write(payloads[2:] + _payloads(payloads[0]["s"], payloads[0]["i"], 7)[5:]) == 2
    assert Interaction.objects.count() == 7


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
    results: dict[str, int] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = writer.interactions_write(payloads)
                first_wrote.set()
                second_started.wait(5)
                results["second_waited"] = _wait_for_a_blocked_writer()
        finally:
            connection.close()

    def second() -> None:
        first_wrote.wait(5)
        second_started.set()
        try:
            results["second"] = writer.interactions_write(
                payloads[5:] + _payloads(payloads[0]["s"], payloads[0]["i"], 12)[10:]
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert results == {"first": 10, "second_waited": True, "second": 2}
    assert Interaction.objects.count() == 12
