"""The demo experiment: a finished A/B test with simulated traffic whose true effects are known.

``manage.py seed_demo`` ends by sending ``profiles.signals.demo_seeded``; ``on_demo_seeded``
answers it (connected in ``ExperimentsConfig.ready``), so the demo shop's lower room never imports
experiments. It adds, on the demo shop's published posts, ``SHOPPERS`` simulated shoppers (their
``external_id`` starts with ``demo-exp-``) split 50/50 between ``control`` and ``fresh-picks``,
their feed sessions over the experiment's 14 days and the days before it (events, carts and
orders), their exposures, and a snapshot of the results at the end of each day: the
results page, the KPI dashboard and the segments have something to show on a fresh install.

The simulation (numpy, a fixed seed: the same rows for the same seed, scale and moment) draws,
per shopper, an activity (sessions per day), a taste for clicking, a favourite top category (most
of their cards, clicked more: the ranker, which trains on these events too, has something to
learn), an attention span and a propensity to buy, the same before and during the experiment, so
that the pre-experiment period predicts the experiment's and CUPED has something to remove. The
treatment changes exactly what ``TRUE_LIFT`` says:

- click-through (opens and product clicks per impression): × 1.15 for every shopper, so the true
  lift of the ratio is +15 %;
- conversion (share of shoppers who order): × 1.05, so +5 %;
- order value × 1.05, so revenue per shopper is × 1.05 × 1.05: +10.25 %;
- time in feed, hides and skips: unchanged (true lift 0).

Engaged sessions and add-to-cart follow from the clicks and orders; their true lift is positive
but not set directly, so it is not stated.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from content.models import ContentItem, ContentProduct
from experiments.models import Experiment, Exposure, Layer, Variant
from experiments.results import record
from experiments.segments.services import segments_recompute
from profiles.events import history
from profiles.events.event import Event
from profiles.events.writer import interactions_write
from profiles.models import Shopper
from profiles.shop.models import Order, OrderLine

NAME = "demo-fresh-picks"
PREFIX = "demo-exp-"
SHOPPERS = 2000
# Fewer shoppers than this make intervals too wide to show anything, whatever the --scale.
MIN_SHOPPERS = 200
DAYS = 14
PRE_DAYS = 14
TRUE_LIFT = {
    "click_through": 0.15,
    "conversion": 0.05,
    "revenue": 1.05 * 1.05 - 1,
    "time_in_feed": 0.0,
    "hide_rate": 0.0,
    "skip_rate": 0.0,
}
ORDER_VALUE_LIFT = 0.05
HYPOTHESIS = (
    "Mixing fresher posts from the shopper's favourite categories into the first cards makes "
    "shoppers open and click more of them, and buy a little more, without more hides or skips."
)
DESCRIPTION = (
    "Demo: simulated traffic with known true effects. True lifts of fresh-picks over control: "
    "click-through +15 %, conversion +5 %, order value +5 % (so revenue per shopper +10.25 %), "
    "time in feed, hides and skips unchanged. The interval of each metric should cover its true lift "
    "(19 times out of 20)."
)

# Per shopper and day, sessions = SESSIONS_PER_DAY × activity (log-normal, mean ≈ 1.2).
SESSIONS_PER_DAY = 0.2
CARDS_PER_SESSION = 5  # 1 + Poisson(CARDS_PER_SESSION - 1)
# Each shopper has a favourite top category: most of their cards come from it, and they click its
# posts more (the ranker has something to learn from them).
FAVOURITE_SHARE = 0.6
FAVOURITE_PULL = 1.4
OTHER_PULL = 0.6
SKIP = 0.2  # a card scrolled past before it counts as an impression
DWELL_REPORTED = 0.35  # impressions that also report a dwell
VIDEO_PROGRESS = 0.3  # video impressions that report how far the video was watched
HIDE = 0.01
OPEN = 0.16  # an impression opened, before the shopper's taste and the treatment
PRODUCT_CLICK = 0.05  # an impression whose product was clicked
CART_AFTER_CLICK = 0.04  # carts of shoppers who do not order: a click that ends in a cart
CONVERSION = 0.12  # shoppers who order during the experiment, before the treatment
ORDER_VALUE = 40.0  # median order, in the shop's currency


@dataclass(frozen=True)
class DemoExperiment:
    experiment: Experiment
    shoppers: int
    interactions: int
    orders: int
    snapshots: int

    def line(self) -> str:
        return (
            f"experiment {self.experiment.name}: {self.shoppers} simulated shoppers, {self.interactions} events, "
            f"{self.orders} orders, {self.snapshots} daily results (true click-through lift +15 %)"
        )


@dataclass
class _Catalogue:
    """The demo's published posts in publication order, the first product each shows, and its
    group: the top category of that product (posts without one are a group of their own)."""

    ids: np.ndarray
    published: np.ndarray  # POSIX seconds
    video: np.ndarray
    product: list[int | None]
    group: np.ndarray  # a number per top category

    def __post_init__(self) -> None:
        self.groups = int(self.group.max()) + 1
        # Each group's posts (indexes into the arrays above), in publication order too.
        self.members = [np.flatnonzero(self.group == g) for g in range(self.groups)]

    def available(self, moment: datetime, group: int | None = None) -> np.ndarray:
        """The posts published by ``moment``, of ``group`` or all."""
        if group is None:
            return np.arange(int(np.searchsorted(self.published, moment.timestamp(), side="right")))
        members = self.members[group]
        return members[: int(np.searchsorted(self.published[members], moment.timestamp(), side="right"))]


def _catalogue() -> _Catalogue | None:
    rows = list(
        ContentItem.objects.filter(status=ContentItem.Status.PUBLISHED, published_at__isnull=False)
        .order_by("published_at", "pk")
        .values_list("pk", "published_at", "kind")
    )
    if not rows:
        return None
    first_product: dict[int, tuple[int, str]] = {}
    for content_id, product_id, path in ContentProduct.objects.order_by("content_id", "position").values_list(
        "content_id", "product_id", "product__category_path"
    ):
        first_product.setdefault(content_id, (product_id, path.split(" > ")[0]))
    shown = [first_product.get(pk, (None, "")) for pk, _, _ in rows]
    tops = {top: number for number, top in enumerate(sorted({top for _, top in shown}))}
    return _Catalogue(
        ids=np.array([pk for pk, _, _ in rows]),
        published=np.array([at.timestamp() if at else 0.0 for _, at, _ in rows]),
        video=np.array([kind == ContentItem.Kind.VIDEO for _, _, kind in rows]),
        product=[product for product, _ in shown],
        group=np.array([tops[top] for _, top in shown]),
    )


@dataclass
class _Rows:
    """What the simulation writes: events, and orders as unsaved rows (``_write``)."""

    events: list[Event]
    orders: list[Order]
    order_times: list[datetime]
    lines: list[OrderLine]


@dataclass(frozen=True)
class _Shown:
    """A card a shopper saw in a session, its position there, and when."""

    card: int
    at: datetime
    session: str
    position: int


class _Simulation:
    """One shopper at a time: sessions of cards in both windows, then orders (see the module's doc)."""

    def __init__(self, rng: np.random.Generator, catalogue: _Catalogue) -> None:
        self.rng = rng
        self.catalogue = catalogue
        self.rows = _Rows([], [], [], [])

    def _event(self, shopper: int, kind: str, seen: _Shown, **fields: Any) -> None:
        self.rows.events.append(
            Event(
                event_id=f"{PREFIX}{shopper}-{len(self.rows.events)}",
                shopper_id=shopper,
                item_id=int(self.catalogue.ids[seen.card]),
                type=kind,
                occurred_at=seen.at,
                session_id=seen.session,
                position=seen.position,
                context={"device": "mobile"},
                **fields,
            )
        )

    def session(
        self, *, shopper: int, at: datetime, click: float, attention: float, favourite: int
    ) -> tuple[datetime, list[_Shown], list[_Shown]]:
        """One feed session from ``at``: its page and events. Returns when it ended, the cards
        seen (impressions) and those whose product was clicked."""
        rng, catalogue = self.rng, self.catalogue
        shown: list[_Shown] = []
        clicked: list[_Shown] = []
        everything, theirs = catalogue.available(at), catalogue.available(at, favourite)
        if not len(everything):
            return at, shown, clicked
        size = 1 + int(rng.poisson(CARDS_PER_SESSION - 1))
        mine = int(rng.binomial(size, FAVOURITE_SHARE))
        drawn = [
            *rng.choice(theirs, size=min(mine, len(theirs)), replace=False).tolist(),
            *rng.choice(everything, size=min(size - mine, len(everything)), replace=False).tolist(),
        ]
        # Distinct cards, in a shuffled order: a feed page never shows a post twice.
        cards = list(dict.fromkeys(drawn[i] for i in rng.permutation(len(drawn))))
        session = f"{PREFIX}{shopper}-{len(self.rows.events)}"
        moment = at
        for position, card in enumerate(cards):
            moment += timedelta(seconds=float(rng.uniform(0.5, 2.0)))
            seen = _Shown(card, moment, session, position)
            if rng.random() < SKIP:
                self._event(shopper, "skip", seen)
                continue
            self._event(shopper, "impression", seen)
            shown.append(seen)
            dwell = int(1000 * attention * rng.lognormal(1.0, 0.6))
            if rng.random() < DWELL_REPORTED:
                self._event(shopper, "dwell", seen, dwell_ms=dwell)
            if catalogue.video[card] and rng.random() < VIDEO_PROGRESS:
                reached = float(rng.choice([25, 50, 75, 100], p=[0.35, 0.25, 0.15, 0.25]))
                self._event(shopper, "video_progress", seen, value=reached)
            if rng.random() < HIDE:
                self._event(shopper, "hide", seen)
            pull = FAVOURITE_PULL if catalogue.group[card] == favourite else OTHER_PULL
            if rng.random() < OPEN * click * pull:
                self._event(shopper, "open", seen)
            product = catalogue.product[card]
            if product is not None and rng.random() < PRODUCT_CLICK * click * pull:
                self._event(shopper, "product_click", seen, product_id=product)
                clicked.append(seen)
            moment += timedelta(milliseconds=dwell)
        return moment, shown, clicked

    def orders(
        self, *, shopper: int, shown: list[_Shown], clicked: list[_Shown], count: int, value: float, until: datetime
    ) -> None:
        """``count`` orders, each after a cart of a product the shopper saw, before ``until``; a
        shopper who does not order abandons a cart of a product they clicked now and then."""
        rng = self.rng
        if count == 0:
            for seen in clicked:
                if rng.random() < CART_AFTER_CLICK:
                    self._cart(shopper, seen)
            return
        # Any post they saw with a product: the number of orders, and so the true lifts, does not
        # depend on how many of them the shopper clicked (the treatment's clicks are more).
        pool = [seen for seen in shown if self.catalogue.product[seen.card] is not None]
        if not pool:
            return
        for index in rng.choice(len(pool), size=min(count, len(pool)), replace=False).tolist():
            carted = self._cart(shopper, pool[index])
            bought = carted.at + timedelta(minutes=float(rng.uniform(2, 90)))
            if bought >= until:
                bought = carted.at + (until - carted.at) / 2
            self._buy(shopper, replace(carted, at=bought), value=value)

    def _cart(self, shopper: int, seen: _Shown) -> _Shown:
        carted = replace(seen, at=seen.at + timedelta(seconds=float(self.rng.uniform(3, 30))))
        self._event(shopper, "add_to_cart", carted, product_id=self.catalogue.product[seen.card], value=1)
        return carted

    def _buy(self, shopper: int, bought: _Shown, *, value: float) -> None:
        product = self.catalogue.product[bought.card]
        total = Decimal(f"{ORDER_VALUE * value * self.rng.lognormal(0.0, 0.5):.2f}")
        self._event(shopper, "purchase", bought, product_id=product, value=1)
        order = Order(
            number=f"DX-{len(self.rows.orders) + 1:07d}",
            shopper_id=shopper,
            currency="EUR",
            total=total,
            shipping_name="Demo shopper",
            shipping_address="1 Simulation Street",
            payment_reference="SIMULATED-DEMO",
        )
        self.rows.orders.append(order)
        self.rows.order_times.append(bought.at)
        self.rows.lines.append(
            OrderLine(
                order=order,
                product_id=product,
                content_id=int(self.catalogue.ids[bought.card]),
                title="Demo product",
                unit_price=total,
                quantity=1,
            )
        )


def _experiment(start: datetime, end: datetime, *, shoppers: int) -> tuple[Experiment, Variant, Variant]:
    experiment = Experiment.objects.create(
        name=NAME,
        description=DESCRIPTION,
        hypothesis=HYPOTHESIS,
        kind=Experiment.Kind.AB,
        status=Experiment.Status.STOPPED,
        layer=Layer.objects.get_or_create(name="main")[0],
        primary_metric="click_through",
        secondary_metrics=["engaged_sessions", "time_in_feed", "conversion", "revenue"],
        guardrail_metrics=["hide_rate", "skip_rate"],
        # A quarter of the shoppers per variant (500 at full size): a smaller --scale still ends ready.
        min_sample=shoppers // 4,
        min_days=7,
        started_at=start,
        stopped_at=end,
        stop_reason="Planned end after 14 days.",
    )
    control = Variant.objects.create(experiment=experiment, name="control", is_control=True, weight=1)
    treatment = Variant.objects.create(
        experiment=experiment, name="fresh-picks", weight=1, source_weights={"fresh": 1.5, "trending": 0.8}
    )
    return experiment, control, treatment


def seed_demo_experiment(*, seed: int = 7, scale: float = 1.0, now: datetime | None = None) -> DemoExperiment | None:
    """Write the demo experiment (see the module's doc); None when the shop has no published post
    or the experiment exists already. One transaction; the same rows for the same seed, scale and
    catalogue (times are relative to ``now``)."""
    now = now or timezone.now()
    catalogue = _catalogue()
    if catalogue is None or Experiment.objects.filter(name=NAME).exists():
        return None
    end = now - timedelta(hours=1)
    start = end - timedelta(days=DAYS)
    with transaction.atomic():
        n = max(MIN_SHOPPERS, round(SHOPPERS * scale))
        experiment, control, treatment = _experiment(start, end, shoppers=n)
        simulation = _Simulation(np.random.default_rng([seed, 25]), catalogue)
        shoppers = _simulate(simulation, experiment, control, treatment, n=n, start=start, end=end)
        history.engagement_refresh()
        snapshots = _snapshots(experiment, start=start, end=end)
    rows = simulation.rows
    return DemoExperiment(experiment, shoppers, len(rows.events), len(rows.orders), snapshots)


def _simulate(
    simulation: _Simulation,
    experiment: Experiment,
    control: Variant,
    treatment: Variant,
    *,
    n: int,
    start: datetime,
    end: datetime,
) -> int:
    """``n`` simulated shoppers' rows, written; returns ``n``."""
    rng = simulation.rng
    treated = rng.random(n) < 0.5
    # Most shoppers arrive early in the experiment; all were shoppers for the whole pre period.
    first_days = DAYS * rng.beta(1.0, 3.0, n)
    joined = [start - timedelta(days=float(d)) for d in rng.uniform(PRE_DAYS, 2 * PRE_DAYS, n)]
    activity = rng.lognormal(0.0, 0.6, n)
    taste = rng.lognormal(-0.03, 0.25, n)  # mean 1
    attention = rng.lognormal(0.0, 0.4, n)
    # The favourite category: a big one more often.
    sizes = np.array([len(members) for members in simulation.catalogue.members], float)
    favourite = rng.choice(len(sizes), size=n, p=sizes / sizes.sum())
    # The chance to order during the experiment grows with activity (mean CONVERSION).
    buy = np.minimum(CONVERSION * np.sqrt(activity) / np.sqrt(activity).mean(), 0.8)
    shoppers = Shopper.objects.bulk_create(Shopper(external_id=f"{PREFIX}{i + 1}") for i in range(n))
    exposures, last_seen = [], []
    for i, shopper in enumerate(shoppers):
        variant = treatment if treated[i] else control
        exposed = start + timedelta(days=float(first_days[i]))
        latest = exposed
        for begin, finish, post in ((start - timedelta(days=PRE_DAYS), start, False), (exposed, end, True)):
            days = (finish - begin).total_seconds() / 86_400
            offsets = sorted(rng.uniform(0.0, days, rng.poisson(SESSIONS_PER_DAY * activity[i] * days)).tolist())
            # In the experiment, the first page a variant shaped is the exposure.
            offsets = [0.0, *offsets] if post else offsets
            treated_now = bool(treated[i]) and post
            shown: list[_Shown] = []
            clicked: list[_Shown] = []
            for offset in offsets:
                ended, seen, clicks = simulation.session(
                    shopper=shopper.pk,
                    at=begin + timedelta(days=offset),
                    click=float(taste[i]) * ((1 + TRUE_LIFT["click_through"]) if treated_now else 1.0),
                    attention=float(attention[i]),
                    favourite=int(favourite[i]),
                )
                shown += seen
                clicked += clicks
                latest = max(latest, ended)
            # Before the start, orders come at the same daily rate; during it, once or not at all.
            share = ((1 + TRUE_LIFT["conversion"]) if treated_now else 1.0) if post else days / DAYS
            chance = buy[i] * share
            count = 1 + int(rng.poisson(0.25)) if rng.random() < chance else 0
            simulation.orders(
                shopper=shopper.pk,
                shown=shown,
                clicked=clicked,
                count=count,
                value=(1 + ORDER_VALUE_LIFT) if treated_now else 1.0,
                until=finish,
            )
        exposures.append(Exposure(experiment=experiment, variant=variant, shopper=shopper, first_at=exposed))
        last_seen.append(latest)
    _write(simulation.rows, shoppers=shoppers, joined=joined, last_seen=last_seen)
    Exposure.objects.bulk_create(exposures)
    return n


# Rows per INSERT; events per call of the event writer (whose cleanup names each event id).
BATCH = 2000
EVENTS_PER_WRITE = 10_000


def _write(rows: _Rows, *, shoppers: list[Shopper], joined: list[datetime], last_seen: list[datetime]) -> None:
    """The rows, with the times that ``auto_now_add`` fields would otherwise stamp as now."""
    for shopper, created, seen in zip(shoppers, joined, last_seen, strict=True):
        shopper.created_at = created
        shopper.last_seen_at = seen
    Shopper.objects.bulk_update(shoppers, ["created_at", "last_seen_at"], batch_size=BATCH)
    # Through the event writer's own path (COPY on PostgreSQL). Like an import's, the events are
    # received when written: they reach the archive as any late arrival does.
    for first in range(0, len(rows.events), EVENTS_PER_WRITE):
        interactions_write(rows.events[first : first + EVENTS_PER_WRITE])
    Order.objects.bulk_create(rows.orders, batch_size=BATCH)
    for order, at in zip(rows.orders, rows.order_times, strict=True):
        order.created_at = at
    Order.objects.bulk_update(rows.orders, ["created_at"], batch_size=BATCH)
    for line in rows.lines:
        line.order_id = line.order.pk
    OrderLine.objects.bulk_create(rows.lines, batch_size=BATCH)


def _snapshots(experiment: Experiment, *, start: datetime, end: datetime) -> int:
    """The results as the schedule would have stored them at the end of each day while it ran."""
    stopped_at, status = experiment.stopped_at, experiment.status
    experiment.status, experiment.stopped_at = Experiment.Status.RUNNING, None
    try:
        for day in range(1, DAYS):
            record(experiment, now=start + timedelta(days=day))
    finally:
        experiment.status, experiment.stopped_at = status, stopped_at
    record(experiment, now=end)
    return DAYS


def on_demo_seeded(*, seed: int = 7, scale: float = 1.0, now: datetime | None = None, **_: Any) -> str:
    """``profiles.signals.demo_seeded``: add the demo experiment; the line ``seed_demo`` prints."""
    made = seed_demo_experiment(seed=seed, scale=scale, now=now)
    if made is None:
        return f"experiment {NAME}: not seeded (it exists already, or the shop has no published post)"
    # The segments page has groups to show at once, not after the first nightly recomputation.
    runs = segments_recompute()
    return f"{made.line()}; segments: " + ", ".join(f"{run.kind} over {run.shoppers} shoppers" for run in runs)
