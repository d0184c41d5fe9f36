"""Experiment results benchmark: ``--shoppers`` exposed shoppers (100,000) with ``--events`` events
each (40: impressions, dwell, clicks, video progress, hides, skips over the experiment's 14 days and
the 14 before) and an order for one in ten, real PostgreSQL.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/experiment_results.py [--shoppers 100000] [--events 40]

Prints the time of ``shopper_metrics`` (the metric queries) and of the whole ``compute`` (median and
worst of ``--runs``). Run it against a scratch database: it adds posts, shoppers, events, orders and
an experiment, generated in the database itself, and deletes them at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from _common import django_setup, require_services

PREFIX = "bench-exp-"
TYPES = ("impression", "impression", "impression", "dwell", "skip", "open", "product_click", "video_progress", "hide")


def timed(function: Callable[[], object], runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoppers", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the data (to EXPLAIN the queries)")
    parser.add_argument("--delete", type=int, metavar="EXPERIMENT", help="only delete a kept run's rows")
    args = parser.parse_args()
    require_services()
    django_setup()
    if args.delete:
        delete(args.delete)
        return
    from django.db import connection

    from content.models import ContentItem, Creator
    from experiments.metrics import shopper_metrics
    from experiments.models import Experiment, Exposure, Layer, Variant
    from experiments.results import compute
    from feedsite.sql import Table
    from profiles.events.models import Interaction
    from profiles.models import Shopper
    from profiles.shop.models import Order

    start = datetime(2025, 6, 1, tzinfo=UTC)
    end = start + timedelta(days=14)
    experiment = Experiment.objects.create(
        name=f"{PREFIX}{int(time.time())}",
        layer=Layer.objects.get_or_create(name="main")[0],
        status=Experiment.Status.STOPPED,
        started_at=start,
        stopped_at=end,
        primary_metric="click_through",
        secondary_metrics=["engaged_sessions", "time_in_feed", "watch_through", "conversion", "revenue"],
        guardrail_metrics=["hide_rate", "skip_rate"],
    )
    control = Variant.objects.create(experiment=experiment, name="control", is_control=True)
    treatment = Variant.objects.create(experiment=experiment, name="treatment")
    creator = Creator.objects.create(handle=experiment.name, display_name="Bench")
    items = ContentItem.objects.bulk_create(
        ContentItem(
            external_id=f"{PREFIX}{n}", creator=creator, kind="video" if n % 3 == 0 else "image", caption="bench"
        )
        for n in range(200)
    )
    first_item = min(item.pk for item in items)
    e, s, x, o = Table(Interaction), Table(Shopper), Table(Exposure), Table(Order)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {s} ({s.visitor_id}, {s.external_id}, {s.personalization}, {s.created_at}) "
            f"SELECT gen_random_uuid(), %s || n, true, %s FROM generate_series(1, %s) n",
            [PREFIX, start - timedelta(days=30), args.shoppers],
        )
        cursor.execute(
            f"INSERT INTO {x} ({x.experiment}, {x.variant}, {x.shopper}, {x.first_at}, {x.rollout_step}) "
            f"SELECT %s, CASE WHEN random() < 0.5 THEN %s ELSE %s END, {s.id}, "
            f"%s + random() * interval '10 days', 0 FROM {s} WHERE {s.external_id} LIKE %s",
            [experiment.pk, control.pk, treatment.pk, start, f"{PREFIX}%"],
        )
        cursor.execute(
            f"""INSERT INTO {e} ({e.event_id}, {e.shopper}, {e.content}, {e.type}, {e.occurred_at}, {e.received_at},
                {e.session_id}, {e.request_id}, {e.dwell_ms}, {e.value}, {e.context})
            SELECT %s || x.{x.shopper} || '-' || n, x.{x.shopper}, %s + (random() * 199)::int,
                (%s::text[])[1 + (random() * {len(TYPES) - 1})::int], t, t,
                'bench-' || x.{x.shopper} || '-' || (n / 8), '', (random() * 6000)::int, 25 * (1 + (random() * 3)::int),
                '{{}}'::jsonb
            FROM {x} x, generate_series(1, %s) n,
                LATERAL (SELECT %s::timestamptz + random() * interval '28 days' + n * interval '0 s' AS t) moment
            WHERE x.{x.experiment} = %s""",
            [PREFIX, first_item, list(TYPES), args.events, start - timedelta(days=14), experiment.pk],
        )
        cursor.execute(
            f"""INSERT INTO {o} ({o.number}, {o.shopper}, {o.status}, {o.currency}, {o.total}, {o.shipping_name},
                {o.shipping_address}, {o.payment_reference}, {o.created_at})
            SELECT 'BX' || x.{x.shopper}, x.{x.shopper}, 'paid', 'EUR', (random() * 90)::numeric(12, 2), 'b', 'b', 'b',
                %s::timestamptz + random() * interval '28 days'
            FROM {x} x WHERE x.{x.experiment} = %s AND random() < 0.1""",
            [start - timedelta(days=14), experiment.pk],
        )
        # Fresh rows have no statistics until autovacuum comes by: the plans would be a stranger's.
        for table in (e, x, s, o, Table(ContentItem)):
            cursor.execute(f"ANALYZE {table}")
    generated = round(time.perf_counter() - started, 1)
    try:
        report = {
            "shoppers": args.shoppers,
            "events": Interaction.objects.filter(event_id__startswith=PREFIX).count(),
            "generated_s": generated,
            "shopper_metrics": timed(lambda: shopper_metrics(experiment, end=end), args.runs),
            "compute": timed(lambda: compute(experiment), args.runs),
        }
        print(json.dumps(report, indent=2))
    finally:
        if not args.keep:
            delete(experiment.pk)


def delete(experiment: int) -> None:
    """The benchmark's rows, in SQL: Django's cascade would name every one of them in a query."""
    from django.db import connection

    from content.models import ContentItem, Creator
    from experiments.models import Experiment, Exposure, ResultSnapshot, Variant
    from feedsite.sql import Table
    from profiles.events.models import Interaction
    from profiles.models import Shopper
    from profiles.shop.models import Order

    like = f"{PREFIX}%"
    with connection.cursor() as cursor:
        for model, column, value in (
            (Order, "number", "BX%"),
            (Interaction, "event_id", like),
            (Exposure, "experiment_id", experiment),
            (ResultSnapshot, "experiment_id", experiment),
            (Variant, "experiment_id", experiment),
            (Experiment, "id", experiment),
            (Shopper, "external_id", like),
            (ContentItem, "external_id", like),
            (Creator, "handle", like),
        ):
            table = Table(model)
            operator = "LIKE" if isinstance(value, str) else "="
            cursor.execute(f"DELETE FROM {table} WHERE {getattr(table, column)} {operator} %s", [value])


if __name__ == "__main__":
    main()
