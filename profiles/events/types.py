"""The vocabulary of event types, in one table: what each type is and how every stage treats it.

Every set and weight elsewhere (the schema's accepted types, the real-time counters, affinity
weights, training grades, live card counts, "passive" history) is derived from ``EVENT_TYPES``.
``models.InteractionType`` lists the same names in the same order (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AffinityScale = Literal["", "stars", "dwell", "percent"]


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    # A client may send it to ``POST /api/v1/events`` (the others come only from the server or dataset imports).
    client: bool
    # Counted per item, creator (and product, see ``on_product``) in the real-time state.
    counted: bool
    # Training relevance (LambdaRank labels ≥ 0); 0 says "not this" and is no positive in history.
    grade: int
    # How much one event adds to the shopper's affinity to the item's tags, brand, creator… (< 0: less of this).
    affinity: float
    # What scales the affinity: "" nothing; "stars" the rating in ``value`` (3 neutral); "dwell"
    # ``dwell_ms`` (capped); "percent" the progress in ``value``.
    affinity_scale: AffinityScale = ""
    # Watching, not telling: a shopper with only these has no history a ranking can use.
    passive: bool = False
    # The card was shown: the ranker's "shown" counters (every other counted positive type is "engaged").
    exposure: bool = False
    # A refusal of the card (a served card with one is labelled 0 in training).
    refusal: bool = False
    # Also counted on the product (the event's, else the item's first).
    on_product: bool = False
    # Changes a count shown on the card (likes, comments, shares), pushed live.
    card_count: bool = False
    # The type whose running total this one takes back (an unlike takes back a like).
    undoes: str = ""
    # The server records it itself (``server.events_record_server``), never a client: a message's open or click.
    server: bool = False

    @property
    def positive(self) -> bool:
        return self.grade > 0


EVENT_TYPES: tuple[EventType, ...] = (
    EventType("impression", client=True, counted=True, grade=0, affinity=0.0, passive=True, exposure=True),
    EventType("view", client=True, counted=True, grade=1, affinity=0.5, passive=True),
    EventType("dwell", client=True, counted=False, grade=1, affinity=0.0, affinity_scale="dwell", passive=True),
    EventType(
        "video_progress", client=True, counted=False, grade=1, affinity=0.5, affinity_scale="percent", passive=True
    ),
    EventType("open", client=True, counted=True, grade=1, affinity=1.0),
    EventType("like", client=True, counted=True, grade=2, affinity=3.0, card_count=True),
    EventType("unlike", client=True, counted=False, grade=0, affinity=-3.0, card_count=True, undoes="like"),
    EventType("share", client=True, counted=True, grade=2, affinity=4.0, card_count=True),
    EventType("comment", client=True, counted=True, grade=2, affinity=3.0, card_count=True),
    EventType("follow", client=True, counted=False, grade=2, affinity=3.0),
    EventType("product_click", client=True, counted=True, grade=2, affinity=2.0, on_product=True),
    EventType("add_to_cart", client=True, counted=True, grade=3, affinity=5.0, on_product=True),
    EventType("purchase", client=True, counted=True, grade=4, affinity=8.0, on_product=True),
    EventType("rate", client=False, counted=True, grade=1, affinity=2.0, affinity_scale="stars"),
    EventType("skip", client=True, counted=True, grade=0, affinity=-1.0, refusal=True),
    EventType("hide", client=True, counted=True, grade=0, affinity=-6.0, refusal=True),
    EventType("other", client=False, counted=False, grade=1, affinity=1.0),
    # A message's email opened (its pixel) or its link followed (``profiles.messages``), on the
    # product's item. Not counted: no card was served, so they stay out of the ranker's counters.
    EventType("message_open", client=False, counted=False, grade=1, affinity=0.5, server=True),
    EventType("message_click", client=False, counted=False, grade=2, affinity=2.0, server=True),
)
BY_NAME: dict[str, EventType] = {t.name: t for t in EVENT_TYPES}

CLIENT_TYPES = frozenset(t.name for t in EVENT_TYPES if t.client)
# What the server may record for a shopper: what a client may send, and the server's own types.
SERVER_TYPES = CLIENT_TYPES | frozenset(t.name for t in EVENT_TYPES if t.server)
COUNTED_TYPES = frozenset(t.name for t in EVENT_TYPES if t.counted)
# The ranker's "engaged" counters: the counted types that show interest.
ENGAGEMENT_TYPES = tuple(t.name for t in EVENT_TYPES if t.counted and t.positive)
EXPOSURE_TYPES = frozenset(t.name for t in EVENT_TYPES if t.exposure)
NEGATIVE_TYPES = frozenset(t.name for t in EVENT_TYPES if not t.positive)
REFUSAL_TYPES = frozenset(t.name for t in EVENT_TYPES if t.refusal)
PASSIVE_TYPES = tuple(t.name for t in EVENT_TYPES if t.passive)
PRODUCT_TYPES = tuple(t.name for t in EVENT_TYPES if t.on_product)
CARD_COUNT_TYPES = frozenset(t.name for t in EVENT_TYPES if t.card_count)


def event_type(name: str) -> EventType:
    """The type called ``name``; ``KeyError`` for a name outside the vocabulary."""
    return BY_NAME[name]
