"""The content-mix policy: from the ranker's order to the page a shopper sees, slot by slot.

    candidates (scored) → promoted items over budget out → boosts / buries / merchandising
    triggers → pins → exploration slots (Thompson sampling) → greedy fill under quotas, streak
    limits and creator spacing → slots, each with the rule that put it there

The policy is data (``MixPolicy`` + ``MixRule`` + ``MerchTrigger`` rows, edited in admin), compiled
once into a ``Policy`` and cached briefly in-process; a running experiment may give a shopper
another one (``ranking.treatment``). Every slot records why it is there (``Slot.rule``).
``arrange`` is pure: what it needs from the database or the real-time store comes in a
``Context`` (``arrange_context`` builds it). Domain pieces live beside it: ``ranking.merch``
(triggers), ``ranking.pacing`` (promoted budgets), ``ranking.exploration`` (Thompson sampling).
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from django.db import transaction

from content.models import ContentItem
from feedsite import caches
from ranking import merch, pacing
from ranking.exploration import default_rng, thompson_pick
from ranking.merch import Trigger
from ranking.models import MixPolicy, MixRule

# Policies change when a marketer saves; serving re-reads them at most this often.
POLICY_CACHE_SECONDS = 30.0

# How deep into the ranked candidates a slot looks for one that meets the constraints before it
# relaxes them: constraints are about variety near the top, not about digging up the 200th item.
SCAN_DEPTH = 60
# Sources whose candidates fill exploration slots.
EXPLORATION_SOURCES = frozenset({"fresh", "new_creator", "explore"})


@dataclass(slots=True)
class Candidate:
    """One item on its way to a slot. Attributes come from the catalog snapshot."""

    item: int
    source: str
    score: float = 0.0
    kind: str = ""
    content_source: str = ""
    creator: int | None = None
    brand: int | None = None
    products: tuple[int, ...] = ()  # the products the card shows (merchandising triggers)
    tags: frozenset[str] = frozenset()
    # Early uptake, for exploration: times shown, and engagements (clicks, likes…) from those.
    impressions: float = 0.0
    engagements: float = 0.0


@dataclass(frozen=True, slots=True)
class Rule:
    action: str
    match: str
    value: str
    amount: float

    def matches(self, c: Candidate) -> bool:
        if self.match == "kind":
            return c.kind == self.value
        if self.match == "source":
            return c.content_source == self.value
        if self.match == "creator":
            return str(c.creator) == self.value
        if self.match == "brand":
            return str(c.brand) == self.value
        if self.match == "tag":
            return self.value in c.tags
        if self.match == "item":
            return str(c.item) == self.value
        if self.match == "candidate":
            return c.source == self.value
        return False

    @property
    def label(self) -> str:
        return f"{self.action}:{self.match}={self.value}"


@dataclass(frozen=True)
class Policy:
    name: str = "built-in"
    window: int = 5
    max_same_creator_in_row: int = 1
    max_same_kind_in_row: int = 3
    min_creator_spacing: int = 3
    # Exploration is the marketer's choice (a MixPolicy row); the built-in policy only ranks.
    exploration_share: float = 0.0
    rules: tuple[Rule, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    promoted_daily_impressions: int = 0  # per promoted item; 0 = no budget

    def of(self, action: str) -> tuple[Rule, ...]:
        return self._by_action.get(action, ())

    @cached_property
    def _by_action(self) -> dict[str, tuple[Rule, ...]]:
        # Asked once per slot and candidate: a policy is compiled once and kept (``policy_for``).
        actions = {r.action for r in self.rules}
        return {action: tuple(r for r in self.rules if r.action == action) for action in actions}

    @cached_property
    def tag_slugs(self) -> frozenset[str]:
        """The tags this policy's rules match: serving looks up a candidate's tags only for these."""
        return frozenset(r.value for r in self.rules if r.match == "tag")

    @property
    def trigger_hours(self) -> float:
        """How far back product views matter to this policy's triggers (0: no need to read them)."""
        return max((t.within_hours for t in self.triggers), default=0)


@dataclass(frozen=True)
class Context:
    """What ``arrange`` knows about this request beyond the candidates; every part is optional."""

    recent_product_views: Sequence[tuple[int, float]] = ()  # (product id, epoch seconds)
    product_categories: Mapping[int, str] = field(default_factory=dict)  # viewed and shown products
    paced_out: frozenset[int] = frozenset()  # promoted items whose impressions budget is spent today
    now: float | None = None  # epoch seconds; the clock when None
    rng: np.random.Generator | None = None  # exploration draws; a per-thread generator when None


@dataclass(frozen=True, slots=True)
class Slot:
    candidate: Candidate
    rule: str


@dataclass
class _Page:
    slots: list[Slot] = field(default_factory=list)
    tail: list[Candidate] = field(default_factory=list)  # previous pages' last cards, then this page's


def compile_policy(row: MixPolicy) -> Policy:
    rules = tuple(
        Rule(action=r.action, match=r.match, value=r.value, amount=r.amount) for r in row.rules.all() if r.active
    )
    triggers = tuple(
        Trigger(
            name=t.name,
            min_views=t.min_views,
            within_hours=t.within_hours,
            boost=t.boost,
            scope=merch.category_key(t.category),
            related_depth=t.related_depth,
        )
        for t in row.triggers.all()
        if t.active and t.boost > 0
    )
    return Policy(
        name=row.name,
        window=max(1, row.window),
        max_same_creator_in_row=row.max_same_creator_in_row,
        max_same_kind_in_row=row.max_same_kind_in_row,
        min_creator_spacing=row.min_creator_spacing,
        exploration_share=min(max(row.exploration_share, 0.0), 1.0),
        rules=rules,
        triggers=triggers,
        promoted_daily_impressions=row.promoted_daily_impressions,
    )


_cache_lock = threading.Lock()
_cache: dict[str, tuple[float, Policy]] = {}


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
    merch.clear_cache()


caches.register("ranking.policy", clear_cache)


def mix_rules_tag_merged(*, source_slug: str, target_slug: str, **_: object) -> int:
    """``content.signals.tag_merged``: rules matching the merged tag's slug match the target's;
    returns how many rules changed (this process drops its policies at commit)."""
    changed = MixRule.objects.filter(match=MixRule.Match.TAG, value=source_slug).update(value=target_slug)
    if changed:
        transaction.on_commit(clear_cache)
    return changed


@transaction.atomic
def mix_policy_make_default(*, policy: MixPolicy) -> MixPolicy:
    """Serve ``policy`` to everyone an experiment does not place elsewhere (a finished rollout)."""
    MixPolicy.objects.filter(is_default=True).exclude(pk=policy.pk).update(is_default=False)
    policy.is_default = True
    policy.save(update_fields=["is_default"])
    transaction.on_commit(clear_cache)
    return policy


def policy_for(name: str | None = None) -> Policy:
    """The named policy (an experiment variant's), else the default one, else the built-in."""
    key = name or ""
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
        if hit and now - hit[0] < POLICY_CACHE_SECONDS:
            return hit[1]
    rows = MixPolicy.objects.prefetch_related("rules", "triggers")
    row = (rows.filter(name=name).first() if name else None) or rows.filter(is_default=True).first()
    policy = compile_policy(row) if row else Policy()
    with _cache_lock:
        _cache[key] = (now, policy)
    return policy


def promoted(candidates: Sequence[Candidate]) -> list[int]:
    """The items among ``candidates`` that are paid placements (paced by ``ranking.pacing``)."""
    return [c.item for c in candidates if c.content_source == ContentItem.Source.PROMOTED]


def arrange_context(
    policy: Policy, candidates: Sequence[Candidate], *, recent_product_views: Sequence[tuple[int, float]] = ()
) -> Context:
    """The ``Context`` for arranging ``candidates`` under ``policy`` now.

    At most one round trip to the real-time store (promoted budgets, only with a budget set) and
    one query (categories of products not cached, only when a trigger could fire).
    """
    categories: Mapping[int, str] = {}
    if policy.triggers and recent_product_views:
        shown = {product for c in candidates for product in c.products}
        categories = merch.categories_of(shown | {product for product, _ in recent_product_views})
    paced_out = pacing.over_budget(promoted(candidates), budget=policy.promoted_daily_impressions)
    return Context(
        recent_product_views=recent_product_views, product_categories=categories, paced_out=frozenset(paced_out)
    )


def _adjusted(c: Candidate, rules: Sequence[Rule], triggered: float) -> float:
    # Boosts act on the ranker's log-odds-like score: a factor f adds ln f, so "×2" means twice the odds.
    score = c.score + math.log(triggered) if triggered != 1.0 else c.score
    for rule in rules:
        if rule.amount > 0 and rule.matches(c):
            score += math.log(rule.amount)
    return score


@dataclass(frozen=True, slots=True)
class _Gate:
    """What the slot at one position may take, given the cards above it: the creators and the kind
    a card must not have (spacing and streaks), and the ``max`` rules whose window is full.

    Worked out once per position, so that testing a candidate is a few lookups: a slot often tests
    dozens before one passes (a catalog of one kind, past its streak limit, tests all it scans).
    """

    creators: frozenset[int]
    kind: str | None
    full: tuple[Rule, ...]

    @classmethod
    def at(cls, policy: Policy, page: _Page, position: int) -> _Gate:
        tail = page.tail
        creators = {p.creator for p in tail[-policy.min_creator_spacing :]} if policy.min_creator_spacing else set()
        if policy.max_same_creator_in_row:
            run = tail[-policy.max_same_creator_in_row :]
            if len(run) == policy.max_same_creator_in_row and len({p.creator for p in run}) == 1:
                creators.add(run[0].creator)
        kind = None
        if policy.max_same_kind_in_row:
            run = tail[-policy.max_same_kind_in_row :]
            if len(run) == policy.max_same_kind_in_row and len({p.kind for p in run}) == 1:
                kind = run[0].kind
        window = tail[-(position % policy.window) :] if position % policy.window else []
        full = tuple(rule for rule in policy.of("max") if sum(rule.matches(p) for p in window) >= rule.amount)
        return cls(creators=frozenset(c for c in creators if c is not None), kind=kind, full=full)

    def admits(self, c: Candidate) -> bool:
        if c.creator is not None and c.creator in self.creators:
            return False
        if c.kind == self.kind:
            return False
        return not any(rule.matches(c) for rule in self.full)


def _owed(policy: Policy, page: _Page, position: int) -> Rule | None:
    """A minimum quota that must be met now, or the window closes short of it."""
    in_window = position % policy.window
    window = page.tail[-in_window:] if in_window else []
    left = policy.window - in_window
    for rule in policy.of("min"):
        deficit = rule.amount - sum(rule.matches(p) for p in window)
        if deficit >= left:
            return rule
    return None


def arrange(
    candidates: Sequence[Candidate],
    policy: Policy,
    *,
    size: int,
    first_page: bool = True,
    history: Sequence[Candidate] = (),
    context: Context | None = None,
) -> list[Slot]:
    """Fill ``size`` slots from ``candidates`` under ``policy``.

    ``history`` is what the feed session showed last (for spacing across pages). A constraint that
    no candidate can meet is relaxed rather than leaving a slot empty ("relaxed" in the slot's rule).
    A card placed by its score after a merchandising trigger boosted it says "trigger:<name>".
    Promoted items in ``context.paced_out`` are not served at all.
    """
    context = context or Context()
    candidates = [c for c in candidates if c.item not in context.paced_out]
    triggered = _triggered(candidates, policy, context)
    ordered = _ordered(candidates, policy, triggered)
    fill = _Fill(
        policy,
        ordered,
        history=history,
        pins=_pins(ordered, policy) if first_page else {},
        triggered=triggered,
        rng=context.rng or default_rng(),
    )
    for position in range(size):
        if not fill.remaining:
            break
        choice = fill.choose(position)
        if choice is None:
            break
        fill.take(*choice)
    return fill.page.slots


def _triggered(candidates: Sequence[Candidate], policy: Policy, context: Context) -> dict[int, tuple[float, str]]:
    """Item → (boost, trigger name) of the merchandising triggers the shopper's product views fire."""
    if not (policy.triggers and context.recent_product_views):
        return {}
    return merch.trigger_boosts(
        policy.triggers,
        views=context.recent_product_views,
        products={c.item: c.products for c in candidates if c.products},
        categories=context.product_categories,
        now=time.time() if context.now is None else context.now,
    )


def _ordered(
    candidates: Sequence[Candidate], policy: Policy, triggered: Mapping[int, tuple[float, str]]
) -> list[Candidate]:
    """``candidates`` best first, by their scores after boosts, buries and triggers."""
    moving = policy.of("boost") + policy.of("bury")
    if moving or triggered:
        adjusted = {c.item: _adjusted(c, moving, triggered.get(c.item, (1.0, ""))[0]) for c in candidates}
    else:
        adjusted = {c.item: c.score for c in candidates}
    return sorted(candidates, key=lambda c: adjusted[c.item], reverse=True)


def _pins(ordered: Sequence[Candidate], policy: Policy) -> dict[int, tuple[Candidate, str]]:
    """Position → the best candidate each pin rule matches, and the rule's label."""
    pins: dict[int, tuple[Candidate, str]] = {}
    for rule in policy.of("pin"):
        hit = next((c for c in ordered if rule.matches(c)), None)
        if hit is not None:
            pins[int(rule.amount)] = (hit, rule.label)
    return pins


class _Fill:
    """A page being filled, slot by slot, from the candidates not taken yet (best first)."""

    def __init__(
        self,
        policy: Policy,
        ordered: Sequence[Candidate],
        *,
        history: Sequence[Candidate],
        pins: dict[int, tuple[Candidate, str]],
        triggered: Mapping[int, tuple[float, str]],
        rng: np.random.Generator,
    ) -> None:
        self.policy = policy
        self.remaining = {c.item: c for c in ordered}
        self.page = _Page(tail=list(history)[-max(policy.window, policy.min_creator_spacing, 8) :])
        self.pins = pins
        self.pinned_items = {c.item for c, _ in pins.values()}
        self.triggered = triggered
        self.rng = rng
        self.explore_every = 1 / policy.exploration_share if policy.exploration_share > 0 else math.inf

    def take(self, c: Candidate, rule: str) -> None:
        self.page.slots.append(Slot(candidate=c, rule=rule))
        self.page.tail.append(c)
        self.remaining.pop(c.item, None)

    def pool(self) -> Iterator[Candidate]:
        """The candidates left, best first, pins kept for their own slots (walked only as far as needed)."""
        return (c for c in self.remaining.values() if c.item not in self.pinned_items)

    def choose(self, position: int) -> tuple[Candidate, str] | None:
        """The candidate for the slot at ``position`` and its rule: its pin, else a quota owed now,
        else an exploration draw on an exploration slot, else the best the constraints admit near
        the top, else the best left ("relaxed"); ``None`` when nothing is left but pins."""
        pin = self.pins.get(position)
        if pin and pin[0].item in self.remaining:
            return pin
        near = list(itertools.islice(self.pool(), SCAN_DEPTH))
        owed = _owed(self.policy, self.page, position)
        gate = _Gate.at(self.policy, self.page, position)
        choice: tuple[Candidate, str] | None = None
        if owed is not None:
            choice = next(((c, owed.label) for c in self.pool() if owed.matches(c) and gate.admits(c)), None)
        if choice is None and self._exploring(position):
            choice = self._explore(gate)
        if choice is None:
            choice = self._ranked(near, gate)
        if choice is None and near:
            choice = (near[0], "relaxed")
        return choice

    def _exploring(self, position: int) -> bool:
        # Exploration slots fall at evenly spaced positions: with a share of 0.1, the 10th, 20th…
        return math.floor((position + 1) / self.explore_every) > math.floor(position / self.explore_every)

    def _explore(self, gate: _Gate) -> tuple[Candidate, str] | None:
        """An exploration candidate the gate admits, drawn by Thompson sampling on its uptake."""
        explorers = [c for c in self.pool() if c.source in EXPLORATION_SOURCES and gate.admits(c)]
        if not explorers:
            return None
        uptake = [(c.impressions, c.engagements) for c in explorers]
        return explorers[thompson_pick(uptake, self.rng)], "explore"

    def _ranked(self, near: Sequence[Candidate], gate: _Gate) -> tuple[Candidate, str] | None:
        """The best of ``near`` the gate admits; "trigger:<name>" when a trigger boosted it."""
        best = next((c for c in near if gate.admits(c)), None)
        if best is None:
            return None
        if best.item in self.triggered:
            return best, f"trigger:{self.triggered[best.item][1]}"
        return best, "ranked"
