"""What an experiment can measure, and each exposed shopper's value of it, from the events.

``METRICS`` is the catalogue: each metric's kind says which test reads it (``experiments.stats``):
``proportion`` (share of shoppers who did it at least once), ``mean`` (a figure per shopper,
Welch's t, CUPED) or ``ratio`` (a sum over a sum per shopper, e.g. clicks over impressions: the
delta method; the shopper is the unit, not the impression). Its ``numerator`` and ``denominator``
name the per-shopper counts (``COLUMNS``) it is made of.

``shopper_metrics(experiment, end=...)`` counts, for every shopper exposed before ``end``, each
column over two windows: **post**, from the shopper's first exposure (``Exposure.first_at``) to
``end``, and **pre**, the ``pre_days`` before the experiment started (CUPED's covariate). Events in
between (after the start, before the shopper's first exposure) count in neither.

How each column is counted (the doc page ``docs/experiments/results.md`` says the same in words):

- ``impressions``, ``clicks`` (open + product_click), ``hides``, ``skips``, ``carts``
  (add_to_cart): interactions of those types.
- ``sessions``: distinct tracker sessions (``Interaction.session_id``, one browser tab's visit;
  events without one belong to no session) with any event; ``engaged_sessions``: those with an
  engagement (``ENGAGEMENT_TYPES``). The tracker's session is on every event, the served page's
  ``feed_session`` only on card events through a join, so the former is the one counted.
- ``dwell_seconds``: the dwell of view and dwell events, in seconds.
- ``videos``: distinct video items the shopper was shown (any exposure-type event on them);
  ``watched``: the sum over those videos of the furthest share reached by its ``video_progress``
  events (the tracker sends percents, 25/50/75/100; clamped to 0–100 %, a video never reached
  counts 0). Watch-through is ``watched / videos``.
- ``orders``, ``revenue``: the shopper's paid orders (``Order.Status.PAID``) and their totals.

Three grouped queries over the exposed shoppers (events, videos, orders), whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection

from content.models import ContentItem
from experiments.models import Experiment, Exposure, Variant
from feedsite.sql import Table
from profiles.events.models import Interaction
from profiles.events.types import EVENT_TYPES
from profiles.shop.models import Order


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    label: str
    kind: str  # "proportion" | "mean" | "ratio"
    higher_is_better: bool = True
    # The per-shopper columns (``COLUMNS``) it is made of: a ratio divides their sums; a mean is
    # the numerator per shopper; a proportion is the share of shoppers whose numerator is above 0.
    numerator: str = ""
    denominator: str = ""
    # How a value reads on the page: "percent" (a share) or "number" (seconds, money).
    unit: str = "percent"


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "click_through",
            "Click-through (opens and product clicks per impression)",
            "ratio",
            numerator="clicks",
            denominator="impressions",
        ),
        Metric(
            "engaged_sessions",
            "Engaged sessions (share of feed sessions with an engagement)",
            "ratio",
            numerator="engaged_sessions",
            denominator="sessions",
        ),
        Metric(
            "time_in_feed",
            "Time in feed per shopper (seconds)",
            "mean",
            numerator="dwell_seconds",
            unit="number",
        ),
        Metric(
            "watch_through",
            "Watch-through (share of each video watched)",
            "ratio",
            numerator="watched",
            denominator="videos",
        ),
        Metric("add_to_cart", "Add-to-cart rate (shoppers who added to a cart)", "proportion", numerator="carts"),
        Metric("conversion", "Conversion (shoppers who ordered)", "proportion", numerator="orders"),
        Metric("revenue", "Revenue per shopper", "mean", numerator="revenue", unit="number"),
        Metric(
            "hide_rate",
            "Hides and reports per impression",
            "ratio",
            higher_is_better=False,
            numerator="hides",
            denominator="impressions",
        ),
        Metric(
            "skip_rate",
            "Skips per impression",
            "ratio",
            higher_is_better=False,
            numerator="skips",
            denominator="impressions",
        ),
    )
}


def metric_choices() -> list[tuple[str, str]]:
    return [(m.name, m.label) for m in METRICS.values()]


# Days before the start whose events are each shopper's pre-experiment value (CUPED's covariate).
PRE_DAYS = 14
# What makes a session engaged: the shopper did something with a card, beyond watching or passing it.
ENGAGEMENT_TYPES = tuple(t.name for t in EVENT_TYPES if t.positive and not t.passive and not t.server)
CLICK_TYPES = ("open", "product_click")
# Dwell is reported on views (apps, imports) or as dwell events (the web tracker), never both.
DWELL_TYPES = ("view", "dwell")
# The events that say a card was on the shopper's screen: a video with one of these was shown.
SHOWN_TYPES = ("impression", "view", "dwell", "video_progress")


@dataclass
class VariantData:
    """The exposed shoppers of one variant, in shopper id order, and their columns in each window."""

    variant: Variant
    shoppers: np.ndarray  # shopper ids (int64)
    post: dict[str, np.ndarray] = field(default_factory=dict)
    pre: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.shoppers.size)

    def values(self, metric: Metric, *, pre: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """The metric's per-shopper numerator and denominator (``None`` unless a ratio)."""
        columns = self.pre if pre else self.post
        numerator = columns[metric.numerator]
        if metric.kind == "proportion":
            numerator = (numerator > 0).astype(float)
        return numerator, columns[metric.denominator] if metric.denominator else None


@dataclass(frozen=True)
class _Window:
    experiment: int
    pre_start: datetime  # the pre window is [pre_start, start)
    start: datetime
    end: datetime  # the post window is [each shopper's first exposure, end)


@dataclass(frozen=True)
class _Column:
    """One per-shopper figure in a window: ``SUM`` of ``value`` over the rows meeting ``condition``,
    or the number of distinct ``value`` among them (``distinct``), or (in a grouped pass, ``MAX``)
    the largest ``value`` of a group."""

    name: str
    condition: str
    value: str = "1"
    params: tuple[Any, ...] = ()
    aggregate: str = "SUM"

    def sql(self, window: str = "1 = 1") -> str:
        if self.aggregate == "DISTINCT":
            return f"COUNT(DISTINCT CASE WHEN {window} AND {self.condition} THEN {self.value} END)"
        return f"{self.aggregate}(CASE WHEN {window} AND {self.condition} THEN {self.value} ELSE 0 END)"


def _placeholders(values: tuple[str, ...]) -> str:
    return ", ".join(["%s"] * len(values))


_EVENTS = (
    _Column("impressions", "i.type = %s", params=("impression",)),
    _Column("clicks", f"i.type IN ({_placeholders(CLICK_TYPES)})", params=CLICK_TYPES),
    _Column("hides", "i.type = %s", params=("hide",)),
    _Column("skips", "i.type = %s", params=("skip",)),
    _Column("carts", "i.type = %s", params=("add_to_cart",)),
    _Column(
        "dwell_seconds",
        f"i.type IN ({_placeholders(DWELL_TYPES)})",
        "COALESCE(i.dwell_ms, 0) / 1000.0",
        params=DWELL_TYPES,
    ),
    _Column("sessions", "i.session_id <> ''", "i.session_id", aggregate="DISTINCT"),
    _Column(
        "engaged_sessions",
        f"i.session_id <> '' AND i.type IN ({_placeholders(ENGAGEMENT_TYPES)})",
        "i.session_id",
        params=ENGAGEMENT_TYPES,
        aggregate="DISTINCT",
    ),
)
# Per video first (the furthest share reached), then summed per shopper.
_VIDEOS = (
    _Column("videos", "1 = 1", aggregate="MAX"),
    _Column(
        "watched",
        "i.type = %s AND i.value IS NOT NULL",
        "(CASE WHEN i.value > 100 THEN 100 WHEN i.value < 0 THEN 0 ELSE i.value END) / 100.0",
        params=("video_progress",),
        aggregate="MAX",
    ),
)
_ORDERS = (_Column("orders", "1 = 1"), _Column("revenue", "1 = 1", "o.total"))
_EVENT_COLUMNS = tuple(column.name for column in _EVENTS)
_VIDEO_COLUMNS = tuple(column.name for column in _VIDEOS)
_ORDER_COLUMNS = tuple(column.name for column in _ORDERS)
COLUMNS = (*_EVENT_COLUMNS, *_VIDEO_COLUMNS, *_ORDER_COLUMNS)


@dataclass(frozen=True)
class _Rows:
    """The exposed shoppers' rows of a table in either window: from ``pre_start`` to the start (pre),
    from the shopper's first exposure to the end (post); rows in between count in neither."""

    table: Table
    alias: str
    at: str  # the rows' time column
    where: str = ""  # more conditions, with their ``params``
    params: tuple[Any, ...] = ()

    def sql(self, window: _Window) -> tuple[str, list[Any]]:
        x, t, a, at = Table(Exposure), self.table, self.alias, f"{self.alias}.{self.at}"
        sql = f"""
  FROM {x} x
  JOIN {t} {a} ON {a}.{t.shopper} = x.{x.shopper} AND {at} >= %s AND {at} < %s
  WHERE x.{x.experiment} = %s AND x.{x.first_at} < %s AND ({at} >= x.{x.first_at} OR {at} < %s){self.where}"""
        return sql, [window.pre_start, window.end, window.experiment, window.end, window.start, *self.params]

    def post(self) -> str:
        return f"{self.alias}.{self.at} >= x.first_at"


def _per_shopper(columns: tuple[_Column, ...], rows: _Rows, window: _Window) -> tuple[str, list[Any]]:
    """One grouped pass: each column in the post window, then each in the pre window, per shopper.
    A sort-based aggregate: PostgreSQL's hash aggregate was slower here, with COUNT(DISTINCT) or without."""
    sums = [column.sql(rows.post()) for column in columns] + [column.sql(f"NOT ({rows.post()})") for column in columns]
    source, where = rows.sql(window)
    params = [p for column in columns for p in column.params] * 2
    return f"SELECT x.shopper_id, {', '.join(sums)}{source}\nGROUP BY x.shopper_id", [*params, *where]


def _per_shopper_and(key: str, columns: tuple[_Column, ...], rows: _Rows, window: _Window) -> tuple[str, list[Any]]:
    """Two grouped passes: per shopper, window and ``key`` (each column's ``MAX``), then per shopper
    (the sum over their keys in the post window, then in the pre window)."""
    inner = ", ".join(f"{column.sql()} AS c{n}" for n, column in enumerate(columns))
    outer = [f"SUM(CASE WHEN g.post = {post} THEN g.c{n} ELSE 0 END)" for post in (1, 0) for n in range(len(columns))]
    source, where = rows.sql(window)
    sql = f"""
SELECT g.shopper_id, {", ".join(outer)}
FROM (
  SELECT x.shopper_id, CASE WHEN {rows.post()} THEN 1 ELSE 0 END AS post, {key} AS k, {inner}{source}
  GROUP BY 1, 2, 3
) g
GROUP BY g.shopper_id"""
    return sql, [*(p for column in columns for p in column.params), *where]


def _events_query(window: _Window) -> tuple[str, list[Any]]:
    return _per_shopper(_EVENTS, _Rows(Table(Interaction), "i", "occurred_at"), window)


def _videos_query(window: _Window) -> tuple[str, list[Any]]:
    c = Table(ContentItem)
    shown = f"\n    AND i.type IN ({_placeholders(SHOWN_TYPES)})"
    videos = f" AND i.content_id IN (SELECT {c.id} FROM {c} WHERE {c.kind} = %s)"
    rows = _Rows(Table(Interaction), "i", "occurred_at", shown + videos, (*SHOWN_TYPES, ContentItem.Kind.VIDEO.value))
    return _per_shopper_and("i.content_id", _VIDEOS, rows, window)


def _orders_query(window: _Window) -> tuple[str, list[Any]]:
    rows = _Rows(Table(Order), "o", "created_at", " AND o.status = %s", (Order.Status.PAID.value,))
    return _per_shopper(_ORDERS, rows, window)


def _fetch(sql: str, params: list[Any]) -> np.ndarray:
    """The query's rows as a float array (shopper id first)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return np.array(rows, dtype=float) if rows else np.empty((0, 1))


def shopper_metrics(experiment: Experiment, *, end: datetime, pre_days: int = PRE_DAYS) -> dict[int, VariantData]:
    """Every shopper exposed to ``experiment`` before ``end``, by variant id (every variant, with
    or without shoppers), with each column of ``COLUMNS`` in the post window (first exposure →
    ``end``) and the pre window (the ``pre_days`` before the start). Four queries."""
    start = experiment.started_at or end
    window = _Window(experiment=experiment.pk, pre_start=start - timedelta(days=pre_days), start=start, end=end)
    exposed = np.array(
        Exposure.objects.filter(experiment=experiment, first_at__lt=end)
        .order_by("shopper_id")
        .values_list("shopper_id", "variant_id"),
        dtype=np.int64,
    ).reshape(-1, 2)
    shoppers, variant_of = exposed[:, 0], exposed[:, 1]
    post = {name: np.zeros(shoppers.size) for name in COLUMNS}
    pre = {name: np.zeros(shoppers.size) for name in COLUMNS}
    for query, names in (
        (_events_query, _EVENT_COLUMNS),
        (_videos_query, _VIDEO_COLUMNS),
        (_orders_query, _ORDER_COLUMNS),
    ):
        rows = _fetch(*query(window))
        if not rows.shape[0]:
            continue
        at = np.searchsorted(shoppers, rows[:, 0].astype(np.int64))
        for offset, name in enumerate(names):
            post[name][at] = rows[:, 1 + offset]
            pre[name][at] = rows[:, 1 + len(names) + offset]
    data = {}
    for variant in experiment.variants.all():
        mine = variant_of == variant.pk
        data[variant.pk] = VariantData(
            variant=variant,
            shoppers=shoppers[mine],
            post={name: column[mine] for name, column in post.items()},
            pre={name: column[mine] for name, column in pre.items()},
        )
    return data
