"""The catalog snapshot: rebuilt off the request path when stale, never stored over a newer change."""

import threading

import pytest

from ranking import catalog
from tests.factories import ContentItemFactory

# Committed data: the rebuild runs on a thread of its own, with a connection of its own.
pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for_refresh():
    for thread in threading.enumerate():
        if thread.name == "catalog-refresh":
            thread.join(timeout=30)


def test_a_stale_snapshot_is_served_at_once_while_a_thread_builds_the_next(monkeypatch):
    old = ContentItemFactory()
    first = catalog.catalog()
    new = ContentItemFactory()
    monkeypatch.setattr(catalog, "TTL_SECONDS", 0.0)

    served_meanwhile = catalog.catalog()
    _wait_for_refresh()
    monkeypatch.setattr(catalog, "TTL_SECONDS", 30.0)
    rebuilt = catalog.catalog()

    assert served_meanwhile is first
    assert set(first.servable) == {old.pk}
    assert set(rebuilt.servable) == {old.pk, new.pk}


def test_a_rebuild_that_started_before_the_cache_was_cleared_is_not_stored():
    ContentItemFactory()
    catalog.catalog()
    started_before = catalog._state["generation"]
    catalog.clear_cache()  # e.g. a creator blocked meanwhile

    catalog._refresh(started_before)

    assert catalog._current == []


def test_withdrawn_items_leave_the_snapshot_at_once_and_a_rebuild_started_before_is_not_stored():
    kept, gone = ContentItemFactory(), ContentItemFactory()
    before = catalog.catalog()
    started_before = catalog._state["generation"]

    catalog.withdraw([gone.pk, 10**9])
    catalog._refresh(started_before)  # read while `gone` was still published (here: it still is)
    after = catalog.catalog()

    assert set(before.servable) == {kept.pk, gone.pk}  # the snapshot a reader holds is not changed
    assert set(after.servable) == {kept.pk}
    assert after.fresh == [kept.pk]
    assert after.built_at == before.built_at  # not rebuilt: the TTL still runs from the build


def test_withdrawing_before_any_snapshot_leaves_the_first_build_to_the_next_request():
    item = ContentItemFactory()

    catalog.withdraw([item.pk])

    assert catalog._current == []
