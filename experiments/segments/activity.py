"""Each shopper's activity over the lookback as of a moment: what RFM scores.

Activity is any interaction (an impression too: the shopper was there) or a paid order. Over the
``LOOKBACK_DAYS`` up to the moment:

- recency: days from the shopper's last activity to the moment;
- frequency: active days (UTC days with an activity): a feed is visited far more often than it
  sells, and a shopper who scrolls daily and never buys is a different shopper from one who came
  once; orders are counted too, as a figure;
- monetary: the paid orders' totals.

Two routes to the same figures: ``activity_load`` aggregates in the database (the nightly
recomputation), ``activity_of_history`` works on ranking's ``History`` arrays with each shopper at
a moment of their own (training examples are "as of when the shopper came back");
``tests/experiments/segments/test_activity.py`` holds them equal. The one difference: a shopper
whose only activity is orders is in the first and not in the second, which holds interactions only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from profiles.events.models import Interaction
from profiles.shop.models import Order
from ranking.history import History, epoch_sql

LOOKBACK_DAYS = 180
DAY = 86400.0


@dataclass(frozen=True)
class Activity:
    """One entry per shopper active in the lookback, sorted by shopper id."""

    shopper: np.ndarray  # int64 shopper id
    recency_days: np.ndarray  # float64
    active_days: np.ndarray  # int64
    orders: np.ndarray  # int64 paid orders
    spend: np.ndarray  # float64 their totals

    def __len__(self) -> int:
        return len(self.shopper)


def activity_as_of() -> datetime:
    """The moment segments are measured at: the newest activity recorded, never later than now.

    On a live site that is moments ago; on an imported dataset of past years, its last day, so that
    its shoppers still have a recency (as ranking's world keeps the data's own clock). Two indexed
    queries.
    """
    now = timezone.now()
    newest = [
        Interaction.objects.filter(occurred_at__lte=now).aggregate(at=Max("occurred_at"))["at"],
        Order.objects.filter(created_at__lte=now).aggregate(at=Max("created_at"))["at"],
    ]
    found = [at for at in newest if at is not None]
    return max(found) if found else now


def _day_sql(column: str) -> str:
    """The UTC day number (days since 1970-01-01) of a timestamp column."""
    epoch = epoch_sql(column)
    if connection.vendor == "postgresql":
        return f"FLOOR({epoch} / 86400.0)"
    return f"CAST({epoch} / 86400.0 AS INTEGER)"


def activity_load(*, as_of: datetime, lookback_days: int = LOOKBACK_DAYS) -> Activity:
    """Every shopper's activity in ``(as_of − lookback, as_of]``, aggregated by the database: two
    queries, one row per active shopper each."""
    since = as_of - timedelta(days=lookback_days)
    interactions, orders = Interaction._meta.db_table, Order._meta.db_table
    paid = Order.Status.PAID.value
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT shopper_id, COUNT(DISTINCT day), MAX(at) FROM ("
            f"SELECT shopper_id, {_day_sql('occurred_at')} AS day, {epoch_sql('occurred_at')} AS at "
            f"FROM {interactions} WHERE occurred_at > %s AND occurred_at <= %s "
            f"UNION ALL "
            f"SELECT shopper_id, {_day_sql('created_at')}, {epoch_sql('created_at')} "
            f"FROM {orders} WHERE status = %s AND created_at > %s AND created_at <= %s"
            f") AS activity GROUP BY shopper_id ORDER BY shopper_id",
            [since, as_of, paid, since, as_of],
        )
        active = cursor.fetchall()
        cursor.execute(
            f"SELECT shopper_id, COUNT(*), SUM(total) FROM {orders} "
            f"WHERE status = %s AND created_at > %s AND created_at <= %s GROUP BY shopper_id",
            [paid, since, as_of],
        )
        bought = {shopper: (count, float(total)) for shopper, count, total in cursor.fetchall()}
    n = len(active)
    shopper = np.fromiter((row[0] for row in active), np.int64, n)
    last = np.fromiter((float(row[2]) for row in active), np.float64, n)
    return Activity(
        shopper=shopper,
        recency_days=np.maximum(as_of.timestamp() - last, 0.0) / DAY,
        active_days=np.fromiter((row[1] for row in active), np.int64, n),
        orders=np.fromiter((bought.get(s, (0, 0.0))[0] for s in shopper.tolist()), np.int64, n),
        spend=np.fromiter((bought.get(s, (0, 0.0))[1] for s in shopper.tolist()), np.float64, n),
    )


@dataclass(frozen=True)
class PaidOrders:
    """Paid orders as arrays: who, when (Unix seconds), how much."""

    shopper: np.ndarray
    t: np.ndarray
    total: np.ndarray

    @classmethod
    def load(cls) -> PaidOrders:
        """Every paid order; one query."""
        rows = list(Order.objects.filter(status=Order.Status.PAID).values_list("shopper_id", "created_at", "total"))
        return cls(
            shopper=np.fromiter((row[0] for row in rows), np.int64, len(rows)),
            t=np.fromiter((row[1].timestamp() for row in rows), np.float64, len(rows)),
            total=np.fromiter((float(row[2]) for row in rows), np.float64, len(rows)),
        )


def activity_of_history(
    history: History, when: np.ndarray, orders: PaidOrders, *, lookback_days: int = LOOKBACK_DAYS
) -> Activity:
    """Each shopper of ``history`` as of ``when[u]`` (Unix seconds per shopper index): their events
    and paid orders in ``(when − lookback, when]``. No query."""
    lookback = lookback_days * DAY
    nu = history.nu
    end = np.asarray(when, np.float64)
    # Interactions, then orders of the history's shoppers, as one list of (shopper index, time).
    known = np.isin(orders.shopper, history.shoppers)
    order_u = np.searchsorted(history.shoppers, orders.shopper[known])
    u = np.concatenate([history.u.astype(np.int64), order_u])
    t = np.concatenate([history.t, orders.t[known]])
    inside = (t > end[u] - lookback) & (t <= end[u])
    u, t = u[inside], t[inside]
    last = np.full(nu, -np.inf)
    np.maximum.at(last, u, t)
    days = np.unique(u * 1_000_000 + np.floor(t / DAY).astype(np.int64))
    active_days = np.bincount(days // 1_000_000, minlength=nu)
    order_inside = (orders.t[known] > end[order_u] - lookback) & (orders.t[known] <= end[order_u])
    count = np.bincount(order_u[order_inside], minlength=nu)
    spend = np.bincount(order_u[order_inside], weights=orders.total[known][order_inside], minlength=nu)
    active = np.flatnonzero(np.isfinite(last))
    return Activity(
        shopper=history.shoppers[active].astype(np.int64),
        recency_days=(end[active] - last[active]) / DAY,
        active_days=active_days[active].astype(np.int64),
        orders=count[active].astype(np.int64),
        spend=spend[active].astype(np.float64),
    )
