"""What the "similar" live source (content similarity, ``ranking/content_index.py``) adds to a request.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/similar.py [--shoppers 50] [--rounds 20]

Needs a trained ranker and recent items (e.g. `seed_demo`, `train_ranker`, `rebuild_realtime`).
For the ``--shoppers`` shoppers with the most interactions it times, in process: the source's own
work per request (``engaged_items`` + ``propose``) on a cold token cache (each shopper's first
request in a process: one query) and then warm; ``serving.rank`` with and without the source,
interleaved; and ``propose`` over an index of ``MAX_ITEMS`` rows made of this database's captions
and labels (the cap, whatever the database holds).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import time
from collections.abc import Callable
from functools import partial

from _common import django_setup, heaviest_shoppers, percentile, require_services, trained_ranker


def _summary(seconds: list[float]) -> dict[str, float]:
    micros = [s * 1e6 for s in seconds]
    return {
        "p50_us": round(percentile(micros, 50)),
        "p90_us": round(percentile(micros, 90)),
        "p99_us": round(percentile(micros, 99)),
    }


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoppers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    require_services()
    django_setup()

    from content.models import ContentItem
    from content.selectors import category_roots, items_described
    from feedsite import caches
    from ranking import content_index, serving
    from ranking.candidates import live
    from ranking.catalog import catalog
    from ranking.policy import policy_for

    ranker = trained_ranker()
    world, snapshot = ranker.extra["world"], catalog()
    shoppers = heaviest_shoppers(args.shoppers)
    inputs = {}
    for shopper in shoppers:  # what serving.rank holds when it calls the live sources
        events, _, recent, _ = serving._events_and_list(world, ranker.version, shopper)
        seen = {int(world.items[i]) for i in world.block([events]).seen.indices}
        inputs[shopper.pk] = (events, recent, seen)

    def source(shopper_id: int) -> list[int]:
        events, recent, seen = inputs[shopper_id]
        engaged = content_index.engaged_items(world, events, recent, now=time.time())
        return snapshot.content.propose(engaged, 30, exclude=seen)

    caches.clear("ranking.content_index")
    cold = [_timed(partial(source, s.pk)) for s in shoppers]
    warm = [_timed(partial(source, s.pk)) for _ in range(args.rounds) for s in shoppers]

    with_source, without = live.SOURCES, tuple(s for s in live.SOURCES if s.name != "similar")
    ranked: dict[str, list[float]] = {"with": [], "without": []}
    policy = policy_for()
    for _ in range(max(1, args.rounds // 2)):
        for shopper in shoppers:
            for name in random.sample(["with", "without"], 2):
                live.SOURCES = with_source if name == "with" else without
                rank = partial(serving.rank, shopper=shopper, exclude=set(), size=10, policy=policy, first_page=True)
                ranked[name].append(_timed(rank))
    live.SOURCES = with_source

    # The cap: MAX_ITEMS rows of this database's captions and labels, creators and brands spread out.
    roots, rng = category_roots(), random.Random(1)
    described = items_described(list(ContentItem.objects.values_list("pk", flat=True)[:20_000]))
    fake = [
        dataclasses.replace(
            described[n % len(described)], pk=-1 - n, creator=rng.randrange(3000), brand=rng.randrange(300)
        )
        for n in range(content_index.MAX_ITEMS)
    ]
    full = content_index.index_of({item.pk: content_index.tokens(item, roots) for item in fake}, roots)
    content_index.tokens_of([item.pk for item in described], roots)  # cached, as after a first page
    fake_ids, real_ids = [item.pk for item in fake], [item.pk for item in described]
    timings: dict[str, list[float]] = {"inside": [], "outside": []}
    for _ in range(300):  # profiles of 50 index rows, or of 50 items outside the index (cached tokens)
        for name, ids in (("inside", fake_ids), ("outside", real_ids)):
            profile = dict.fromkeys(rng.sample(ids, 50), 1.0)
            timings[name].append(_timed(partial(full.propose, profile, 30, exclude=set())))

    print(
        json.dumps(
            {
                "index_rows": snapshot.content.rows.shape[0],
                "index_tokens": snapshot.content.rows.shape[1],
                "proposed_per_request_median": sorted(len(source(s.pk)) for s in shoppers)[len(shoppers) // 2],
                "source_cold_cache": _summary(cold),
                "source_warm": _summary(warm),
                "rank_with_source": _summary(ranked["with"]),
                "rank_without_source": _summary(ranked["without"]),
                "full_index_rows": full.rows.shape[0],
                "full_index_propose_profile_inside": _summary(timings["inside"]),
                "full_index_propose_profile_outside": _summary(timings["outside"]),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
