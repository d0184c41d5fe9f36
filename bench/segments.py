"""Segments recomputation benchmark: 50,000 shoppers, 2,000,000 interactions over 200 days and
25,000 orders (random, each shopper leaning to one of 10 root categories), real PostgreSQL.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/segments.py [--shoppers 50000] [--events 2000000]

Run it against a migrated scratch database without shoppers: it fills it and leaves the data there
(a second run measures again on it). Prints, for each of ``--runs``, the seconds of each stage of
``segments_recompute``: RFM computed and stored, behaviour computed and stored.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from _common import django_setup, require_services


def fill(shoppers: int, events: int, orders: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from content.models import ContentItem, Tag
    from profiles.events.models import Interaction
    from profiles.models import Shopper
    from profiles.shop.models import Order

    roots = [Tag.objects.create(slug=f"bench-root-{r}", name=f"Root {r}", kind="category") for r in range(10)]
    leaves = [
        Tag.objects.create(slug=f"bench-root-{r}-{c}", name=f"Leaf {r}.{c}", kind="category", parent=roots[r])
        for r in range(10)
        for c in range(3)
    ]
    items = ContentItem.objects.bulk_create(
        [ContentItem(kind="product_card", status="published", published_at=timezone.now()) for _ in range(600)]
    )
    through = ContentItem.tags.through
    through.objects.bulk_create(
        [
            through(contentitem_id=item.pk, tag_id=tag.pk)
            for n, item in enumerate(items)
            for tag in (leaves[n % 30], roots[(n % 30) // 3])
        ]
    )
    Shopper.objects.bulk_create([Shopper() for _ in range(shoppers)], batch_size=5000)
    first = Shopper.objects.order_by("pk").values_list("pk", flat=True).first()
    with connection.cursor() as cursor:
        # Each shopper leans to a tenth of the catalogue; a third of them are active over 200 days,
        # a third over 400, a third over 600.
        cursor.execute(
            f"INSERT INTO {Interaction._meta.db_table} "
            "(event_id, shopper_id, content_id, type, occurred_at, received_at, session_id, request_id, context) "
            f"SELECT 'bench-' || g, {first} + s, {items[0].pk} + ((s %% 10) * 60 + (random() * 59)::int) %% 600, "
            "(ARRAY['impression', 'view', 'like', 'product_click', 'add_to_cart'])[1 + (random() * 4)::int], "
            "now() - (random() * 200 * (1 + s %% 3)) * interval '1 day', now(), '', '', '{}' "
            f"FROM (SELECT g, (random() * {shoppers - 1})::int AS s FROM generate_series(1, %s) g) AS x",
            [events],
        )
        cursor.execute(
            f"INSERT INTO {Order._meta.db_table} (number, shopper_id, status, currency, total, shipping_name, "
            "shipping_address, payment_reference, created_at) "
            f"SELECT 'BENCH-' || g, {first} + (random() * {shoppers - 1})::int, 'paid', 'EUR', "
            "(5 + random() * 150)::numeric(10, 2), 'bench', 'bench', 'SIMULATED', "
            "now() - random() * interval '200 days' "
            "FROM generate_series(1, %s) g",
            [orders],
        )
        cursor.execute("ANALYZE")


def measure() -> dict[str, Any]:
    from experiments.segments.activity import activity_as_of
    from experiments.segments.compute import behaviour_compute, rfm_compute
    from experiments.segments.services import segments_store

    times: dict[str, Any] = {}
    as_of = activity_as_of()
    for name, compute in (("rfm", rfm_compute), ("behaviour", behaviour_compute)):
        start = time.perf_counter()
        computed = compute(as_of=as_of)
        stored = time.perf_counter()
        segments_store(computed=computed)
        times[name] = {
            "shoppers": computed.shoppers,
            "segments": len(computed.segments),
            "compute_s": round(stored - start, 1),
            "store_s": round(time.perf_counter() - stored, 1),
        }
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoppers", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--orders", type=int, default=25_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    require_services()
    django_setup()
    from profiles.models import Shopper

    if not Shopper.objects.filter(interactions__event_id__startswith="bench-").exists():
        if Shopper.objects.exists():
            sys.exit("Run it against a migrated scratch database without shoppers.")
        fill(args.shoppers, args.events, args.orders)
    for run in range(args.runs):
        print(json.dumps({"run": run + 1, **measure()}))


if __name__ == "__main__":
    main()
