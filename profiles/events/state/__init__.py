"""Real-time state in the real-time store: decayed affinities and counters, recent items, sessions.

Public (import from ``profiles.events.state``): ``apply_events`` (the consumer's fold of a batch);
the readers ``shopper_affinities``, ``shopper_recent``, ``shoppers_recent``, ``item_counters``,
``item_totals``, ``ranking_counters``, ``shopper_count_weights``; the writer
``shopper_count_weights_set``; the key helpers and constants below. The modules inside
(``keys``, ``affinities``, ``counters``, ``recent``, ``apply``) are an implementation detail.

Keys (all expire):

    rt:s:<shopper>:aff      hash  "<dim>:<id>" → "value|ts"   decayed affinity (dims: tag, cat, brand, creator, price)
    rt:s:<shopper>:recent   list  "<item>:<type>:<ts>", newest first (written at ingestion: read-your-writes)
    rt:s:<shopper>:intent   hash  "<dim>:<id>" → "value|ts"   search intent (``intent``: minutes, not hours)
    rt:s:<shopper>:sess     hash  session id, start, depth, last event time
    rt:i:<item>             hash  "<type>:<window>" → "value|ts" decayed counters; "n:<type>" → running total
    rt:c:<creator>          hash  the same, per creator
    rt:p:<product>          hash  the same, per product (carts and purchases)
    rt:i:<item>:rank        string  the ranker's counters (``RANKING_COLUMNS``), then their time: "%017.6f" each
    rt:c:<creator>:rank     string  the same, per creator
    rt:trust                hash  shopper → counting weight in [0, 1), only for shoppers who count less

Decayed counters stand in for sliding windows: a count with a half-life of 1 h, 24 h or 7 d is
updated in O(1), read in O(1) and weighs recent events most, which is what ranking wants.
Counted events of a shopper in ``rt:trust`` add their weight instead of 1 to the decayed counters
and the ranker's counters (``shopper_count_weights_set``: trust is judged above profiles); running
totals ("n:<type>", the counts cards show) stay exact counts. Applying an event is idempotent: a
marker per event id makes a replay a no-op. Which types are counted, and what each adds to an
affinity, is ``profiles.events.types``.
"""

from profiles.events.state.affinities import affinity_dims, affinity_weight, shopper_affinities
from profiles.events.state.apply import apply_events
from profiles.events.state.counters import (
    RANKING_COLUMNS,
    RANKING_HALF_LIVES,
    RANKING_KIND_OF,
    RANKING_KINDS,
    RankingCounters,
    counters_decode,
    item_counters,
    item_totals,
    ranking_counters,
    ranking_decode,
)
from profiles.events.state.intent import INTENT_HALF_LIFE_SECONDS, intent_decode, shopper_intent, shopper_intent_add
from profiles.events.state.keys import (
    APPLIED_MARKER_TTL_SECONDS,
    RECENT_MAX,
    SESSION_GAP_SECONDS,
    STATE_TTL_SECONDS,
    WINDOWS,
    creator_key,
    decayed_value,
    item_key,
    product_key,
    ranking_key,
    shopper_key,
)
from profiles.events.state.recent import recent_decode, recent_encode, shopper_recent, shoppers_recent
from profiles.events.state.weights import WEIGHTS_KEY, shopper_count_weights, shopper_count_weights_set

__all__ = [
    "APPLIED_MARKER_TTL_SECONDS",
    "INTENT_HALF_LIFE_SECONDS",
    "RANKING_COLUMNS",
    "RANKING_HALF_LIVES",
    "RANKING_KINDS",
    "RANKING_KIND_OF",
    "RECENT_MAX",
    "SESSION_GAP_SECONDS",
    "STATE_TTL_SECONDS",
    "WEIGHTS_KEY",
    "WINDOWS",
    "RankingCounters",
    "affinity_dims",
    "affinity_weight",
    "apply_events",
    "counters_decode",
    "creator_key",
    "decayed_value",
    "intent_decode",
    "item_counters",
    "item_key",
    "item_totals",
    "product_key",
    "ranking_counters",
    "ranking_decode",
    "ranking_key",
    "recent_decode",
    "recent_encode",
    "shopper_affinities",
    "shopper_count_weights",
    "shopper_count_weights_set",
    "shopper_intent",
    "shopper_intent_add",
    "shopper_key",
    "shopper_recent",
    "shoppers_recent",
]
