"""Creator dashboard benchmark: a creator with 200 posts and 100,000 events over 90 days (and as many
events on other creators' posts), real PostgreSQL.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/creator_dashboard.py [--items 200] [--events 100000]

Prints the time of ``creator_stats`` (the five queries) and of the whole page, CSV and JSON answers
for 7, 30 and 90 days (median and worst of ``--runs``). Run it against a scratch database: it adds
a creator, posts, shoppers and interactions, and deletes them at the end.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from _common import django_setup, require_services

KINDS = ("impression", "impression", "impression", "dwell", "dwell", "like", "share", "product_click")


def timed(function: Callable[[], object], runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the data (to EXPLAIN the queries)")
    args = parser.parse_args()
    require_services()
    django_setup()
    from django.db import connection
    from django.test import Client

    from content.models import ContentItem
    from profiles.events.creator_stats import creator_stats
    from profiles.events.event import Event
    from profiles.events.models import Interaction
    from profiles.events.writer import interactions_write
    from tests.factories import ContentItemFactory, CreatorFactory, ShopperFactory

    run = uuid.uuid4().hex[:8]
    rng = random.Random(7)
    creator = CreatorFactory.create(handle=f"bench-{run}", user__username=f"bench-{run}")
    rival = CreatorFactory.create(handle=f"bench-{run}-other", user__username=f"bench-{run}-other")
    items = [
        ContentItemFactory.create(creator=creator, kind=ContentItem.Kind.VIDEO, duration_ms=15_000).pk
        for _ in range(args.items)
    ]
    others = [ContentItemFactory.create(creator=rival).pk for _ in range(args.items)]
    shoppers = [ShopperFactory.create(user__username=f"bench-{run}-s{n}").pk for n in range(200)]
    now = datetime.now(UTC)
    start = time.perf_counter()
    for targets in (items, others):
        batch: list[Event] = []
        for n in range(args.events):
            kind = rng.choice(KINDS)
            batch.append(
                Event(
                    event_id=f"bench-{run}-{targets[0]}-{n}",
                    shopper_id=rng.choice(shoppers),
                    item_id=rng.choice(targets),
                    type=kind,
                    occurred_at=now - timedelta(seconds=rng.uniform(0, 90 * 86400)),
                    dwell_ms=rng.randint(500, 30_000) if kind == "dwell" else None,
                )
            )
            if len(batch) == 5000:
                interactions_write(batch)
                batch = []
        interactions_write(batch)
    loaded_s = time.perf_counter() - start
    # What autovacuum does after a bulk load: without statistics the planner sorts to disk.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Interaction._meta.db_table}")
    client = Client()
    assert creator.user is not None
    client.force_login(creator.user)
    report: dict[str, object] = {"items": args.items, "events": args.events, "load_s": round(loaded_s, 1)}
    try:
        for days in (7, 30, 90):

            def stats(days: int = days) -> None:
                creator_stats(creator=creator, days=days)

            report[f"stats_{days}d"] = timed(stats, args.runs)
            for name, url in (
                ("page", "/studio/dashboard"),
                ("csv", "/studio/dashboard.csv"),
                ("api", "/api/v1/studio/stats"),
            ):

                def get(url: str = url, days: int = days) -> None:
                    assert client.get(url, {"days": days}).status_code == 200

                report[f"{name}_{days}d"] = timed(get, args.runs)
        report["totals_90d"] = creator_stats(creator=creator, days=90).totals.impressions
    finally:
        report["creator"] = creator.pk
        if not args.keep:
            _delete(run, creator, rival)
    print(json.dumps(report, indent=2))


def _delete(run: str, *owners: Any) -> None:
    """The run's creators (their posts and interactions go with them), their accounts and shoppers."""
    from django.contrib.auth.models import User

    for owner in owners:
        user = owner.user
        owner.delete()
        user.delete()
    User.objects.filter(username__startswith=f"bench-{run}-s").delete()


if __name__ == "__main__":
    main()
