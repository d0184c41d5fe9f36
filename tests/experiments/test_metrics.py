"""Per-shopper metrics from the events: hand-built shoppers with counts worked out by hand, and the
grouped SQL against a plain Python count over the same rows (random events, fixed seed)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from content.models import ContentItem
from experiments.metrics import (
    CLICK_TYPES,
    COLUMNS,
    DWELL_TYPES,
    ENGAGEMENT_TYPES,
    METRICS,
    SHOWN_TYPES,
    shopper_metrics,
)
from experiments.models import Exposure
from profiles.events.models import Interaction
from profiles.shop.models import Order
from tests.factories import (
    ContentItemFactory,
    ExperimentFactory,
    InteractionFactory,
    OrderFactory,
    ShopperFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db
START = datetime.fromisoformat("2025-03-01T00:00:00+00:00")
END = START + timedelta(days=10)


def at(days: float) -> datetime:
    """A moment ``days`` after the start (negative: before it)."""
    return START + timedelta(days=days)


def experiment_with(arms=("control", "treatment")):
    experiment = ExperimentFactory(status="stopped", started_at=START, stopped_at=END)
    variants = [
        VariantFactory(experiment=experiment, name=name, is_control=index == 0) for index, name in enumerate(arms)
    ]
    return experiment, variants


def expose(experiment, variant, shopper, days: float) -> None:
    Exposure.objects.create(experiment=experiment, variant=variant, shopper=shopper, first_at=at(days))


def event(shopper, item, kind: str, days: float, **fields) -> Interaction:
    return InteractionFactory(shopper=shopper, content=item, type=kind, occurred_at=at(days), **fields)


def order(shopper, days: float, total: str, status: str = Order.Status.PAID) -> Order:
    placed = OrderFactory(shopper=shopper, total=Decimal(total), status=status)
    Order.objects.filter(pk=placed.pk).update(created_at=at(days))
    return placed


def test_each_column_counts_the_post_window_and_the_pre_window_by_hand():
    experiment, (control, treatment) = experiment_with()
    ada, bob = ShopperFactory(), ShopperFactory()
    photo = ContentItemFactory(kind=ContentItem.Kind.IMAGE)
    clip, other_clip = ContentItemFactory(kind=ContentItem.Kind.VIDEO), ContentItemFactory(kind=ContentItem.Kind.VIDEO)
    expose(experiment, treatment, ada, days=2)
    expose(experiment, control, bob, days=1)
    # Ada, after her exposure: two sessions, one of them engaged; 4 impressions, an open and a product
    # click; 4.5 s of dwell; a hide and a skip; a cart; a clip watched to 75 % and one shown, not watched.
    for kind in ("impression", "impression", "open", "product_click", "add_to_cart"):
        event(ada, photo, kind, 3, session_id="s1")
    event(ada, photo, "impression", 4, session_id="s2")
    event(ada, photo, "view", 4, session_id="s2", dwell_ms=3000)
    event(ada, photo, "dwell", 4, session_id="s2", dwell_ms=1500)
    event(ada, photo, "hide", 4, session_id="s2")
    event(ada, photo, "skip", 4, session_id="s2")
    event(ada, clip, "video_progress", 5, value=25)
    event(ada, clip, "video_progress", 5, value=75)
    event(ada, other_clip, "impression", 5)
    order(ada, 6, "30.00")
    order(ada, 7, "12.50")
    order(ada, 7, "99.00", status=Order.Status.CANCELLED)
    # Ada, before the start (the pre window): one impression, a click, a clip watched past its end
    # (clamped to 100 %), an order. Between the start and her exposure: counted nowhere.
    event(ada, photo, "impression", -3, session_id="p1")
    event(ada, photo, "open", -3, session_id="p1")
    event(ada, clip, "video_progress", -2, value=250)
    order(ada, -1, "20.00")
    event(ada, photo, "impression", 1, session_id="gap")
    order(ada, 1.5, "40.00")
    # Outside both windows: before the pre window, after the end.
    event(ada, photo, "impression", -15)
    event(ada, photo, "impression", 10.5)
    # Bob: only a view without dwell after his exposure.
    event(bob, photo, "view", 2, session_id="b1")

    data = shopper_metrics(experiment, end=END)

    ada_post = {name: float(data[treatment.pk].post[name][0]) for name in COLUMNS}
    assert ada_post == {
        "impressions": 4,
        "clicks": 2,
        "hides": 1,
        "skips": 1,
        "carts": 1,
        "dwell_seconds": 4.5,
        "sessions": 2,
        "engaged_sessions": 1,
        "videos": 2,
        "watched": 0.75,
        "orders": 2,
        "revenue": 42.5,
    }
    ada_pre = {name: float(data[treatment.pk].pre[name][0]) for name in COLUMNS}
    assert ada_pre == dict.fromkeys(COLUMNS, 0.0) | {
        "impressions": 1,
        "clicks": 1,
        "sessions": 1,
        "engaged_sessions": 1,
        "videos": 1,
        "watched": 1.0,
        "orders": 1,
        "revenue": 20.0,
    }
    assert list(data[control.pk].shoppers) == [bob.pk]
    assert {name: float(data[control.pk].post[name][0]) for name in COLUMNS} == dict.fromkeys(COLUMNS, 0.0) | {
        "sessions": 1
    }


def test_shoppers_exposed_at_or_after_the_end_are_left_out_and_the_silent_count_zero():
    experiment, (control, treatment) = experiment_with()
    quiet, late = ShopperFactory(), ShopperFactory()
    expose(experiment, control, quiet, days=1)
    expose(experiment, treatment, late, days=10)
    event(late, ContentItemFactory(), "impression", 10.2)

    data = shopper_metrics(experiment, end=END)

    assert data[control.pk].n == 1
    assert data[treatment.pk].n == 0
    assert data[treatment.pk].post["impressions"].shape == (0,)
    assert all(float(column[0]) == 0.0 for column in data[control.pk].post.values())


def test_a_metric_reads_its_columns_by_kind():
    experiment, (control, _) = experiment_with()
    for clicks, impressions, orders in ((1, 10, 0), (0, 4, 2), (3, 6, 1)):
        shopper = ShopperFactory()
        expose(experiment, control, shopper, days=1)
        item = ContentItemFactory()
        for _ in range(impressions):
            event(shopper, item, "impression", 2)
        for _ in range(clicks):
            event(shopper, item, "open", 2)
        for _ in range(orders):
            order(shopper, 3, "10.00")
    arm = shopper_metrics(experiment, end=END)[control.pk]

    num, den = arm.values(METRICS["click_through"])
    assert num.tolist() == [1, 0, 3]
    assert den is not None
    assert den.tolist() == [10, 4, 6]
    converted, none = arm.values(METRICS["conversion"])
    assert converted.tolist() == [0.0, 1.0, 1.0]
    assert none is None
    revenue, _ = arm.values(METRICS["revenue"])
    assert revenue.tolist() == [0.0, 20.0, 10.0]


def test_every_metric_of_the_catalogue_names_columns_that_exist():
    for metric in METRICS.values():
        assert metric.numerator in COLUMNS
        assert (metric.denominator in COLUMNS) if metric.kind == "ratio" else metric.denominator == ""


def _plain(experiment, end: datetime, pre_start: datetime) -> dict[int, dict[str, dict[str, float]]]:
    """The columns by straightforward Python over every row: the reference for the SQL."""
    first = dict(Exposure.objects.filter(experiment=experiment, first_at__lt=end).values_list("shopper_id", "first_at"))
    columns: dict[int, dict[str, dict[str, float]]] = {
        s: {"post": dict.fromkeys(COLUMNS, 0.0), "pre": dict.fromkeys(COLUMNS, 0.0)} for s in first
    }
    sessions: dict[tuple[int, str], set[str]] = defaultdict(set)
    engaged: dict[tuple[int, str], set[str]] = defaultdict(set)
    reached: dict[tuple[int, str, int], float] = {}
    kinds = dict(ContentItem.objects.values_list("pk", "kind"))

    def window(shopper: int, moment: datetime) -> str | None:
        if first[shopper] <= moment < end:
            return "post"
        return "pre" if pre_start <= moment < START else None

    for row in Interaction.objects.filter(shopper_id__in=first):
        which = window(row.shopper_id, row.occurred_at)
        if which is None:
            continue
        counts = columns[row.shopper_id][which]
        counts["impressions"] += row.type == "impression"
        counts["clicks"] += row.type in CLICK_TYPES
        counts["hides"] += row.type == "hide"
        counts["skips"] += row.type == "skip"
        counts["carts"] += row.type == "add_to_cart"
        if row.type in DWELL_TYPES:
            counts["dwell_seconds"] += (row.dwell_ms or 0) / 1000
        if row.session_id:
            sessions[(row.shopper_id, which)].add(row.session_id)
            if row.type in ENGAGEMENT_TYPES:
                engaged[(row.shopper_id, which)].add(row.session_id)
        if kinds[row.content_id] == "video" and row.type in SHOWN_TYPES:
            key = (row.shopper_id, which, row.content_id)
            share = min(max(row.value, 0), 100) / 100 if row.type == "video_progress" and row.value is not None else 0
            reached[key] = max(reached.get(key, 0.0), share)
    for (shopper, which), ids in sessions.items():
        columns[shopper][which]["sessions"] = len(ids)
    for (shopper, which), ids in engaged.items():
        columns[shopper][which]["engaged_sessions"] = len(ids)
    for (shopper, which, _), share in reached.items():
        columns[shopper][which]["videos"] += 1
        columns[shopper][which]["watched"] += share
    for placed in Order.objects.filter(shopper_id__in=first, status=Order.Status.PAID):
        which = window(placed.shopper_id, placed.created_at)
        if which is not None:
            columns[placed.shopper_id][which]["orders"] += 1
            columns[placed.shopper_id][which]["revenue"] += float(placed.total)
    return columns


def test_the_grouped_queries_equal_a_plain_count_over_random_events():
    rng = random.Random(25)
    experiment, variants = experiment_with(("control", "a", "b"))
    items = [ContentItemFactory(kind=rng.choice(["video", "image"])) for _ in range(6)]
    kinds = ["impression", "view", "dwell", "video_progress", "open", "product_click", "like", "add_to_cart"]
    kinds += ["hide", "skip", "purchase"]
    for _ in range(30):
        shopper = ShopperFactory()
        expose(experiment, rng.choice(variants), shopper, days=rng.uniform(0, 11))
        for _ in range(rng.randrange(0, 25)):
            kind = rng.choice(kinds)
            event(
                shopper,
                rng.choice(items),
                kind,
                rng.uniform(-16, 12),
                session_id=rng.choice(["", "s1", "s2", "s3"]),
                dwell_ms=rng.randrange(0, 9000) if rng.random() < 0.7 else None,
                value=rng.choice([None, 25, 50, 75, 100, 140]) if kind == "video_progress" else None,
            )
        for _ in range(rng.randrange(0, 3)):
            order(shopper, rng.uniform(-16, 12), f"{rng.uniform(1, 90):.2f}", rng.choice(["paid", "paid", "cancelled"]))

    data = shopper_metrics(experiment, end=END, pre_days=14)
    expected = _plain(experiment, END, START - timedelta(days=14))

    got: dict[int, dict[str, dict[str, float]]] = {}
    for arm in data.values():
        for index, shopper in enumerate(arm.shoppers.tolist()):
            got[shopper] = {
                which: {name: round(float(values[name][index]), 6) for name in COLUMNS}
                for which, values in (("post", arm.post), ("pre", arm.pre))
            }
    rounded = {
        shopper: {which: {name: round(value, 6) for name, value in cols.items()} for which, cols in by.items()}
        for shopper, by in expected.items()
    }
    assert got == rounded
    assert sum(arm.n for arm in data.values()) == len(expected) > 20
    assert sum(float(np.sum(arm.post["impressions"])) for arm in data.values()) > 0
