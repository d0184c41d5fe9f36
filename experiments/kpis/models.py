"""The daily rollup of the feed's KPIs: one row per UTC day, computed by ``services.kpi_days_rollup``.

The dashboard reads these rows, never the raw events: a period of 90 days and the 90 before it is
at most 181 small rows whatever the shop's size. A row also outlives its raw events, which the
retention purge deletes (``EVENT_RETENTION_DAYS``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import models


class KpiDay(models.Model):
    """The figures of one UTC day, as counted at ``computed_at``.

    Counts are exact (``experiments.kpis.figures`` says what each one counts); amounts are per
    currency, as decimal strings: orders in different currencies are never added up.
    """

    day = models.DateField(unique=True)
    computed_at = models.DateTimeField()
    # Shoppers with at least one interaction of their own (an email opened is not a visit).
    active_shoppers = models.PositiveIntegerField(default=0)
    feed_sessions = models.PositiveIntegerField(default=0)
    pages_served = models.PositiveIntegerField(default=0)
    dwell_ms = models.PositiveBigIntegerField(default=0)
    impressions = models.PositiveBigIntegerField(default=0)
    opens = models.PositiveIntegerField(default=0)
    product_clicks = models.PositiveIntegerField(default=0)
    add_to_carts = models.PositiveIntegerField(default=0)
    cart_shoppers = models.PositiveIntegerField(default=0)
    # Orders not cancelled; buyers are the shoppers who placed them, active buyers those who were also active.
    orders = models.PositiveIntegerField(default=0)
    buyers = models.PositiveIntegerField(default=0)
    active_buyers = models.PositiveIntegerField(default=0)
    # Currency → {"orders": n, "revenue": "123.45"}.
    sales = models.JSONField(default=dict, blank=True)
    # Cards served, by the item's kind and by its source (``""``: an item deleted since).
    served_kinds = models.JSONField(default=dict, blank=True)
    served_sources = models.JSONField(default=dict, blank=True)
    # Items published that day, by kind.
    published = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = "KPI day"
        verbose_name_plural = "KPI dashboard"

    def __str__(self) -> str:
        return self.day.isoformat()

    @property
    def served_cards(self) -> int:
        return sum(self.served_kinds.values())

    @property
    def new_items(self) -> int:
        return sum(self.published.values())

    def revenue(self, currency: str) -> Decimal:
        return Decimal(self.sales.get(currency, {}).get("revenue", "0"))

    def currency_orders(self, currency: str) -> int:
        return int(self.sales.get(currency, {}).get("orders", 0))

    def settled(self, *, margin: timedelta) -> bool:
        """Counted at least ``margin`` after the day ended: late events are in, the row is final."""
        return self.computed_at >= day_start(self.day) + timedelta(days=1) + margin


def day_start(day: date) -> datetime:
    """The first moment of the UTC ``day``."""
    return datetime.combine(day, time.min, tzinfo=UTC)
