"""The registry of per-process caches: one call empties every one, and every one is registered."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import Tag
from feedsite import caches
from ranking.timed_cache import TimedCache
from tests.factories import ContentItemFactory, ProductFactory, ShopperFactory

APPS = ("feedsite", "content", "profiles", "ranking", "moderation", "experiments")

# Memos of pure functions: what they hold cannot go stale, so they need no clearing.
MEMOS = {
    "content.bulk.brand_slug",
    "feedsite.realtime.client",  # connections: realtime.reset_for_tests forgets them
    "feedsite.realtime.worker_client",
    "moderation.checks.rules._pattern",  # a rule's compiled regular expression, by its source
    "moderation.checks.rules._terms_pattern",
    "moderation.selectors._standing_at",  # one condition object per reputation bar
    "profiles.demo.render._font",
    "profiles.importer.values.cached_timestamp",  # a dataset's values, parsed
    "profiles.importer.values.category_names",
    "profiles.importer.values.category_tags",
    "profiles.importer.values.interaction_type",
    "profiles.importer.values.topic_tag",
    "ranking.served._log_insert",  # the log's columns, from the model
}


def _queries(read: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


def _readers() -> dict[str, Callable[[], object]]:
    """Registered cache → a read that fills it (from a small shop made here)."""
    from experiments import exposure
    from profiles.events import meta
    from ranking import cards, catalog, content_index, feed, merch, policy, registry, treatment

    product = ProductFactory(category_path="Beauty > Skin")
    item = ContentItemFactory(products=[product], tags=[Tag.objects.create(slug="cat-beauty", kind=Tag.Kind.CATEGORY)])
    shopper = ShopperFactory()
    return {
        "profiles.events.meta": lambda: meta.item_meta([item.pk]),
        "ranking.content_index": lambda: content_index.tokens_of([item.pk], {}),
        "ranking.cards": lambda: cards.card_bodies([item.pk], live={item.pk}),
        "ranking.catalog": catalog.catalog,
        "ranking.feed": feed._root_names,
        "ranking.merch": lambda: merch.categories_of([product.pk]),
        "ranking.policy": lambda: policy.policy_for(None),
        "ranking.treatment": lambda: treatment.treatment_for(shopper),
        "experiments.exposure": exposure._label_ids,
        "ranking.registry": registry.active_ranker,
    }


def test_clear_all_empties_every_registered_cache(monkeypatch):
    monkeypatch.setattr(caches, "_caches", {})
    first, second = {1: "a"}, {2: "b"}
    caches.register("first", first.clear)
    caches.register("second", second.clear)

    caches.clear_all()

    assert (first, second) == ({}, {})


def test_clear_empties_the_named_cache_only(monkeypatch):
    monkeypatch.setattr(caches, "_caches", {})
    first, second = {1: "a"}, {2: "b"}
    caches.register("first", first.clear)
    caches.register("second", second.clear)

    caches.clear("first")

    assert (first, second) == ({}, {2: "b"})
    with pytest.raises(KeyError):
        caches.clear("third")


@pytest.mark.django_db
def test_each_cache_of_the_app_is_registered_and_read_again_after_clear_all():
    readers = _readers()
    assert sorted(caches.registered()) == sorted(readers)  # a cache added or dropped is tested here
    for read in readers.values():
        read()
    cached = {name: _queries(read) for name, read in readers.items()}

    caches.clear_all()

    assert cached == dict.fromkeys(readers, 0)
    read_again = {name: _queries(read) for name, read in readers.items()}
    assert [name for name, n in read_again.items() if n == 0] == []


def _module_level(kind: type) -> dict[str, Any]:
    """Where each module-level ``kind`` of the apps' modules is defined ("module.name") → it (a
    function only when the apps define it)."""
    found: dict[int, tuple[str, Any]] = {}
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name:
                continue
            for name, value in vars(importlib.import_module(info.name)).items():
                if isinstance(value, kind) and (not callable(value) or value.__module__.startswith(APPS)):
                    # A memo's own names; a cache object's first module, ahead of modules importing it.
                    where = f"{value.__module__}.{value.__qualname__}" if callable(value) else f"{info.name}.{name}"
                    found.setdefault(id(value), (where, value))
    return dict(found.values())


def test_every_timed_cache_is_registered_and_every_other_memo_is_known():
    registered = {id(getattr(clear, "__self__", clear)) for clear in caches.registered().values()}

    timed = _module_level(TimedCache)
    memos = _module_level(functools._lru_cache_wrapper)

    assert [name for name, cache in timed.items() if id(cache) not in registered] == []
    assert sorted(name for name, memo in memos.items() if id(memo) not in registered) == sorted(MEMOS)
