"""KPI dashboard benchmark: a big shop's day (1,000,000 interactions, 100,000 served pages of 10
cards, 5,000 orders by default) counted into the rollup, then the dashboard read, real PostgreSQL.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/kpi_dashboard.py [--events 1000000] [--pages 100000]

Prints the time of counting that day (``kpi_days_rollup``, and of its served-cards query alone), of
counting every day a first view of the 90-day period counts (the days within the event retention,
the busy one among them), and of the admin page for 7, 30 and 90 days once every day is counted
(median and worst of ``--runs``). Run it
against a scratch database: it adds shoppers, posts, events, pages and orders (deleted at the end)
and rewrites the rollup rows of the days it counts.
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
from decimal import Decimal
from typing import Any

from _common import django_setup, require_services

KINDS = ("impression",) * 6 + ("dwell",) * 3 + ("open", "product_click", "add_to_cart", "like")
BATCH = 20_000


def timed(function: Callable[[], object], runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=5_000)
    parser.add_argument("--shoppers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the data (to EXPLAIN the queries)")
    args = parser.parse_args()
    require_services()
    django_setup()
    from django.db import connection
    from django.test import Client

    from content.models import ContentItem
    from experiments.kpis.figures import served_cards_sql
    from experiments.kpis.models import KpiDay, day_start
    from experiments.kpis.services import kpi_days_rollup
    from profiles.events.event import Event
    from profiles.events.models import Interaction
    from profiles.events.writer import interactions_write
    from profiles.models import Shopper
    from profiles.shop.models import Order
    from ranking.models import FeedRequest
    from tests.factories import ContentItemFactory, CreatorFactory, UserFactory

    run = uuid.uuid4().hex[:8]
    rng = random.Random(7)
    now = datetime.now(UTC)
    day = now.date() - timedelta(days=1)
    start_of_day = day_start(day)
    creator = CreatorFactory.create(handle=f"bench-{run}", user__username=f"bench-{run}")
    kinds = list(ContentItem.Kind)
    items = [ContentItemFactory.create(creator=creator, kind=kinds[n % len(kinds)]).pk for n in range(200)]
    shoppers = [s.pk for s in Shopper.objects.bulk_create([Shopper() for _ in range(args.shoppers)], batch_size=5000)]
    loading = time.perf_counter()
    batch: list[Event] = []
    for n in range(args.events):
        kind = rng.choice(KINDS)
        batch.append(
            Event(
                event_id=f"bench-{run}-{n}",
                shopper_id=rng.choice(shoppers),
                item_id=rng.choice(items),
                type=kind,
                occurred_at=start_of_day + timedelta(seconds=rng.uniform(0, 86_399)),
                dwell_ms=rng.randint(500, 30_000) if kind == "dwell" else None,
            )
        )
        if len(batch) == BATCH:
            interactions_write(batch)
            batch = []
    interactions_write(batch)
    pages = FeedRequest.objects.bulk_create(
        [
            FeedRequest(shopper_id=rng.choice(shoppers), feed_session=uuid.uuid4(), items=rng.sample(items, 10))
            for _ in range(args.pages)
        ],
        batch_size=5000,
    )
    orders = Order.objects.bulk_create(
        [
            Order(
                number=f"B{run}{n:06d}",
                shopper_id=rng.choice(shoppers),
                currency="EUR",
                total=Decimal(rng.randint(500, 20_000)) / 100,
                shipping_name="Bench",
                shipping_address="1 Bench Road",
                payment_reference=f"bench-{run}",
            )
            for n in range(args.orders)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        # Both tables stamp their rows on insert: spread them over the day instead.
        for model, column, ids in (
            (FeedRequest, "served_at", [str(p.pk) for p in pages]),
            (Order, "created_at", [o.pk for o in orders]),
        ):
            key = model._meta.pk.column
            cast = "uuid[]" if model is FeedRequest else "bigint[]"
            cursor.execute(
                f"UPDATE {model._meta.db_table} SET {column} = %s + random() * interval '86399 seconds' "
                f"WHERE {key} = ANY(%s::{cast})",
                [start_of_day, ids],
            )
        for table in (Interaction, FeedRequest, Order):
            cursor.execute(f"ANALYZE {table._meta.db_table}")
    report: dict[str, object] = {
        "events": args.events,
        "pages": args.pages,
        "orders": args.orders,
        "load_s": round(time.perf_counter() - loading, 1),
    }
    user = UserFactory.create(username=f"bench-{run}-admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    try:
        end_of_day = start_of_day + timedelta(days=1)
        report["rollup_busy_day"] = timed(lambda: kpi_days_rollup(first=day, last=day), args.runs)
        report["served_cards_busy_day"] = timed(lambda: served_cards_sql(start=start_of_day, end=end_of_day), args.runs)
        report["rollup_first_view_90d"] = timed(
            lambda: kpi_days_rollup(first=day - timedelta(days=180), last=day + timedelta(days=1)), args.runs
        )
        for days in (7, 30, 90):
            client.get("/admin/kpis/kpiday/", {"days": days})  # counts what is missing, once

            def page(days: int = days) -> None:
                assert client.get("/admin/kpis/kpiday/", {"days": days}).status_code == 200

            report[f"page_{days}d"] = timed(page, args.runs)
        report["impressions_counted"] = KpiDay.objects.get(day=day).impressions
    finally:
        if not args.keep:
            _delete(run, connection, creator, user, shoppers)
    print(json.dumps(report, indent=2))


def _delete(run: str, connection: Any, creator: Any, user: Any, shoppers: list[int]) -> None:
    """The run's rows, deleted in SQL: the ORM's cascade would load a million interactions first."""
    from content.models import ContentItem
    from profiles.events.models import Interaction
    from profiles.models import Shopper
    from profiles.shop.models import Order
    from ranking.models import FeedRequest

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Interaction._meta.db_table} WHERE event_id LIKE %s", [f"bench-{run}-%"])
        cursor.execute(f"DELETE FROM {FeedRequest._meta.db_table} WHERE shopper_id = ANY(%s)", [shoppers])
        cursor.execute(f"DELETE FROM {Order._meta.db_table} WHERE payment_reference = %s", [f"bench-{run}"])
    ContentItem.objects.filter(creator=creator).delete()
    Shopper.objects.filter(pk__in=shoppers).delete()
    owner = creator.user
    creator.delete()
    owner.delete()
    user.delete()


if __name__ == "__main__":
    main()
