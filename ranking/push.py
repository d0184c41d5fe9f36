"""Live pushes to the feed websocket (``/ws/feed/``): services, run after commit, each payload typed.

    feed.fresh  a just-published item, ranked for each shopper who should see it now: followers of
                its creator and shoppers whose real-time affinities match it, among those online
                (``ranking.presence``), never one it was already served to or pushed to
    counts      an item's like / comment / share totals, to the sockets watching it, after the
                event consumer stored a batch; at most one push per item per second
    notice      price drop or back in stock, to the shoppers with the product in their cart
    feed.removed  an item taken out of the feed (hidden, removed, its creator blocked), to every
                open socket: pages drop its card

They are started by signals of the layers below, connected in ``RankingConfig.ready()``:
``content.signals`` (``content_published`` → ``fresh_item_published``, ``product_changed`` →
``product_changed``, ``content_withdrawn`` → ``item_withdrawn``) and ``profiles.events.signals`` (``batch_processed`` →
``counts_after_batch``); moderation calls ``items_withdrawn`` itself (a creator blocked). Everything
here is best effort: a push lost to a Redis outage is logged, and the feed API still serves the item.

Channel-layer messages (read by ``ranking.hub``, one subscription per ASGI process; payloads are
JSON-encoded once here, never per socket):

    {"type": "push.text", "group": "shopper.<id>" | "item.<id>", "text": json}
    {"type": "push.fanout", "texts": [json, …], "to": {"<shopper>": index}}      to feed.all
    {"type": "push.all", "texts": [json, …], "withdrawn": [item ids]}              to feed.all

The fan-out form is for large audiences: one channel-layer message per ASGI process, whatever
the number of shoppers (``FANOUT_BROADCAST_MIN``), instead of one Redis message per shopper.
``push.all`` goes to every socket of every process; the processes also drop its ``withdrawn`` items
from their catalog snapshot.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal, TypedDict

from asgiref.sync import async_to_sync
from celery import shared_task
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

from content import selectors as content_selectors
from content.models import ContentItem, Product
from feedsite import realtime
from profiles.events import state
from profiles.events.meta import item_meta
from profiles.events.models import Interaction
from profiles.events.selectors import CardSocial, item_counts
from profiles.events.types import CARD_COUNT_TYPES
from profiles.models import Follow, Shopper
from profiles.shop.selectors import shoppers_with_product_in_cart
from ranking import catalog, presence
from ranking.cards import items_withdrawn as card_bodies_forget
from ranking.feed import fresh_cards_for
from ranking.hub import BROADCAST_GROUP
from ranking.models import FeedRequest

logger = logging.getLogger(__name__)

# Audiences at least this large go out as one fan-out message on feed.all rather than one message
# per shopper group. Per-shopper messages all land in each process's channel-layer inbox, whose
# capacity (1,500 in settings) a burst of thousands overflows (bench/websockets.py --mode personal);
# a fan-out costs each process one message and a dictionary lookup per local socket.
FANOUT_BROADCAST_MIN = 500
# Creators with more followers than this are announced by the announce_item task, not in the
# request (or worker) that published: the audience query and the sends take ~1 s per 10k shoppers.
ANNOUNCE_INLINE_FOLLOWERS_MAX = 1000
# A decayed affinity of 4 ≈ one add-to-cart, or a like and a share, on items with the same tag,
# category, brand or creator within the last half-life (weights in profiles.events.types).
AFFINITY_MIN = 4.0
# "Already pushed" memory per item: a day, past which an item is no longer fresh anyway.
TOLD_TTL_SECONDS = 86400
COUNTS_INTERVAL_MS = 1000
# IN lists and Redis pipelines in chunks: 2,000 ids keep each query well under SQLite's limit.
CHUNK = 2000
# Concurrent group_send calls: enough to hide Redis latency, few enough not to flood the pool.
SEND_CONCURRENCY = 64


class FreshPayload(TypedDict):
    type: Literal["feed.fresh"]
    cards: list[dict[str, Any]]


class CountsPayload(TypedDict):
    type: Literal["counts"]
    item: int
    likes: int
    comments: int
    shares: int


class NoticePayload(TypedDict):
    type: Literal["notice"]
    kind: Literal["price_drop", "back_in_stock"]
    product: int
    title: str
    price: str | None
    text: str


class RemovedPayload(TypedDict):
    type: Literal["feed.removed"]
    item_id: int


Payload = FreshPayload | CountsPayload | NoticePayload | RemovedPayload


def fresh_payload(cards: list[dict[str, Any]]) -> FreshPayload:
    return {"type": "feed.fresh", "cards": cards}


def counts_payload(item_id: int, counts: CardSocial) -> CountsPayload:
    """From an item's counters as cards show them (``profiles.events.selectors.item_counts``)."""
    return {
        "type": "counts",
        "item": item_id,
        "likes": counts.likes,
        "comments": counts.comments,
        "shares": counts.shares,
    }


def notice_payload(product: Product, *, kind: Literal["price_drop", "back_in_stock"]) -> NoticePayload:
    price = None if product.price is None else str(product.price)
    if kind == "price_drop":
        text = f"{product.title} is now {price} {product.currency}"
    else:
        text = f"{product.title} is back in stock"
    return {"type": "notice", "kind": kind, "product": product.pk, "title": product.title, "price": price, "text": text}


def removed_payload(item_id: int) -> RemovedPayload:
    return {"type": "feed.removed", "item_id": item_id}


def _encode(payload: Payload) -> str:
    return json.dumps(payload, separators=(",", ":"))


def _text_message(group: str, text: str) -> tuple[str, dict[str, Any]]:
    return group, {"type": "push.text", "group": group, "text": text}


def _chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def group_send_many(messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """``group_send`` each (group, message), ``SEND_CONCURRENCY`` at a time, from sync code."""
    if not messages:
        return
    layer = get_channel_layer()
    assert layer is not None, "CHANNEL_LAYERS is configured in feedsite.settings.services"

    async def send_all() -> None:
        for start in range(0, len(messages), SEND_CONCURRENCY):
            batch = messages[start : start + SEND_CONCURRENCY]
            await asyncio.gather(*(layer.group_send(group, message) for group, message in batch))

    async_to_sync(send_all)()


# --- feed.fresh -----------------------------------------------------------------------------------


def fresh_item_published(item_id: int, **_: object) -> None:
    """``content.signals.content_published``, after commit: announce ``item_id`` now, or through the
    task for a big creator."""
    creator_id = ContentItem.objects.filter(pk=item_id).values_list("creator_id", flat=True).first()
    if creator_id is not None and Follow.objects.filter(creator_id=creator_id).count() > ANNOUNCE_INLINE_FOLLOWERS_MAX:
        announce_item.delay(item_id)
        return
    try:
        fresh_item_announce(item_id=item_id)
    except realtime.RealtimeUnavailable:
        logger.warning("real-time store unavailable: fresh item %s not pushed", item_id)


@shared_task(
    name="ranking.push.announce_item",
    # Not the "ranking.*" training queue: a retrain must not hold back a 2-second push.
    queue="default",
    autoretry_for=realtime.RealtimeUnavailable,
    retry_backoff=True,
    max_retries=3,
)
def announce_item(item_id: int) -> int:
    """Push a fresh item to the shoppers who should see it. Safe twice: nobody is told twice."""
    return fresh_item_announce(item_id=item_id)


def fresh_item_announce(*, item_id: int) -> int:
    """Push ``feed.fresh`` for a just-published item to its online audience; returns how many were told.

    Idempotent: shoppers already told about the item (a Redis set per item, one day) are skipped,
    so a retried task or a second publish hook tells nobody twice.
    """
    item = published_item(item_id)
    online = presence.connected_shoppers()
    if item is None or not online:
        return 0
    audience = _fresh_audience(item, online)
    for shopper_id in _already_have(item, audience.keys()):
        del audience[shopper_id]
    audience = {shopper_id: audience[shopper_id] for shopper_id in _first_time(item.pk, list(audience))}
    texts: list[str] = []
    index_of: dict[int, int] = {}  # id() of a card list → its text
    to: dict[int, int] = {}
    for shopper_id, cards in fresh_cards_for(audience, [item.pk]).items():
        if cards:
            if id(cards) not in index_of:
                index_of[id(cards)] = len(texts)
                texts.append(_encode(fresh_payload(cards)))
            to[shopper_id] = index_of[id(cards)]
    if len(to) >= FANOUT_BROADCAST_MIN:
        message = {"type": "push.fanout", "texts": texts, "to": {str(s): i for s, i in to.items()}}
        group_send_many([(BROADCAST_GROUP, message)])
    else:
        group_send_many([_text_message(f"shopper.{s}", texts[i]) for s, i in to.items()])
    return len(to)


def published_item(item_id: int) -> ContentItem | None:
    """The item, if it may be served (``content.selectors.published``: not of a blocked creator)."""
    return content_selectors.published().filter(pk=item_id).only("pk", "creator_id", "published_at").first()


def _fresh_audience(item: ContentItem, online: set[int]) -> dict[int, str]:
    """Online shoppers who should hear of ``item`` → why ("followed" or "interest")."""
    audience: dict[int, str] = {}
    if item.creator_id is not None:
        # All the followers, intersected here: one plain query instead of IN lists of the online ids
        # (slow for psycopg to compose). A creator with very many followers is announced by the
        # task, off the request.
        followers = Follow.objects.filter(creator_id=item.creator_id).values_list("shopper_id", flat=True)
        audience = dict.fromkeys((s for s in followers.iterator(chunk_size=10_000) if s in online), "followed")
    meta = item_meta([item.pk]).get(item.pk)
    if meta is None:
        return audience
    others = sorted(s for s in online if s not in audience)
    interested = _affine(others, state.affinity_dims(meta, price=False))
    # Affinity is personalization: shoppers who turned it off hear only of creators they follow.
    opted_out: set[int] = set()
    for chunk in _chunks(interested):
        opted_out.update(Shopper.objects.filter(pk__in=chunk, personalization=False).values_list("pk", flat=True))
    audience.update((shopper_id, "interest") for shopper_id in interested if shopper_id not in opted_out)
    return audience


def _affine(shopper_ids: Sequence[int], dims: Sequence[str]) -> list[int]:
    """Those of ``shopper_ids`` whose decayed affinity to ``dims`` adds up to ``AFFINITY_MIN``.

    Reads only the item's fields of each shopper's affinity hash (HMGET, pipelined), not the whole
    hash ``state.shopper_affinities`` returns: 10k shoppers cost ~1 MB, not ~50 MB.
    """
    if not dims:
        return []
    now = time.time()
    halflife = settings.FEED_AFFINITY_HALF_LIFE_HOURS * 3600.0
    matched = []
    client = realtime.client()
    for chunk in _chunks(shopper_ids):
        pipe = client.pipeline(transaction=False)
        for shopper_id in chunk:
            pipe.hmget(state.shopper_key(shopper_id, "aff"), dims)
        for shopper_id, values in zip(chunk, pipe.execute(), strict=True):
            score = sum(state.decayed_value(raw, now, halflife) for raw in values if raw is not None)
            if score >= AFFINITY_MIN:
                matched.append(shopper_id)
    return matched


def _already_have(item: ContentItem, shopper_ids: Collection[int]) -> set[int]:
    """Those of ``shopper_ids`` who were served ``item`` (served-list log) or acted on it.

    A page served since the item was published is in ``FeedRequest`` (written for every page,
    also when the per-session served set is in Redis), so this one log answers for every session;
    the time index keeps the scan to the pages since publishing.
    """
    have: set[int] = set()
    if item.published_at is not None:
        pages = FeedRequest.objects.filter(served_at__gte=item.published_at, shopper_id__isnull=False)
        if connection.features.supports_json_field_contains:
            have.update(pages.filter(items__contains=[item.pk]).values_list("shopper_id", flat=True))
        else:
            have.update(shopper for shopper, served in pages.values_list("shopper_id", "items") if item.pk in served)
    have.update(Interaction.objects.filter(content_id=item.pk).values_list("shopper_id", flat=True))
    return have & set(shopper_ids)


# KEYS[1]: the item's set of told shoppers; ARGV[1]: its TTL, ARGV[2…]: shopper ids to tell.
# Adds them and returns those already in the set: atomic, so two runs never both tell one shopper;
# the reply is usually empty (parsing 10k ids back would cost the fan-out ~0.3 s).
_TELL_ONCE = """
local told = {}
for i = 2, #ARGV do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 0 then table.insert(told, ARGV[i]) end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return told
"""


def _first_time(item_id: int, shopper_ids: Sequence[int]) -> list[int]:
    """Record that ``shopper_ids`` are told about ``item_id``; returns those not told before."""
    script = realtime.client().register_script(_TELL_ONCE)
    told: set[int] = set()
    for chunk in _chunks(shopper_ids, 10_000):
        told.update(int(raw) for raw in script(keys=[f"push:fresh:{item_id}"], args=[TOLD_TTL_SECONDS, *chunk]))
    return [shopper_id for shopper_id in shopper_ids if shopper_id not in told]


# --- counts ---------------------------------------------------------------------------------------

COUNTS_DUE_KEY = "push:counts:due"


def counts_after_batch(items: Mapping[int, frozenset[str]], **_: object) -> None:
    """``profiles.events.signals.batch_processed``: push ``counts`` to ``item.<id>`` for items whose
    likes, comments or shares changed.

    At most one push per item per ``COUNTS_INTERVAL_MS``, across consumer processes (a Redis key per
    item, SET NX PX). An item held back is remembered in ``push:counts:due`` and pushed, with the
    counts as they are then, by the first batch after its interval; with no further batch at all it
    waits for the next one. Does nothing while the store is down.
    """
    touched = {item for item, types in items.items() if types & CARD_COUNT_TYPES}
    try:
        _counts_push(touched)
    except realtime.RealtimeUnavailable:
        logger.warning("real-time store unavailable: counts of %d items not pushed", len(touched))


def _counts_push(touched: set[int]) -> None:
    client = realtime.client()
    due = {int(raw) for raw in client.smembers(COUNTS_DUE_KEY)}
    candidates = sorted(touched | due)
    if not candidates:
        return
    pipe = client.pipeline(transaction=False)
    for item_id in candidates:
        pipe.set(f"push:counts:gate:{item_id}", 1, nx=True, px=COUNTS_INTERVAL_MS)
    opened = pipe.execute()
    now_ids = [item_id for item_id, ok in zip(candidates, opened, strict=True) if ok]
    held = [item_id for item_id, ok in zip(candidates, opened, strict=True) if not ok]
    pipe = client.pipeline(transaction=False)
    if now_ids:
        pipe.srem(COUNTS_DUE_KEY, *now_ids)
    if held:
        pipe.sadd(COUNTS_DUE_KEY, *held)
        pipe.expire(COUNTS_DUE_KEY, 3600)
    pipe.execute()
    if now_ids:
        counts = item_counts(item_ids=now_ids)
        group_send_many([_text_message(f"item.{i}", _encode(counts_payload(i, counts[i]))) for i in now_ids])


# --- notice ---------------------------------------------------------------------------------------


def product_changed(
    product_id: int, old_price: Decimal | None, old_stock: int, old_active: bool = True, **_: object
) -> int:
    """``content.signals.product_changed``, after commit: tell shoppers with the product in their
    cart that it got cheaper or is back (in stock again, or sold again after being withdrawn).

    Back in stock wins over a price drop when both happened (the notice carries the new price).
    Returns how many shoppers were sent a notice (those online receive it).
    """
    product = Product.objects.filter(pk=product_id).first()
    if product is None or not product.in_stock:
        return 0
    kind: Literal["price_drop", "back_in_stock"]
    if old_stock <= 0 or not old_active:
        kind = "back_in_stock"
    elif old_price is not None and product.price is not None and product.price < old_price:
        kind = "price_drop"
    else:
        return 0
    shoppers = shoppers_with_product_in_cart(product_id)
    text = _encode(notice_payload(product, kind=kind))
    try:
        group_send_many([_text_message(f"shopper.{shopper_id}", text) for shopper_id in shoppers])
    except realtime.RealtimeUnavailable:
        logger.warning("real-time store unavailable: %s notice for product %s not pushed", kind, product_id)
        return 0
    return len(shoppers)


# --- feed.removed ---------------------------------------------------------------------------------


def item_withdrawn(item_id: int, status: str = "", **_: object) -> None:
    """``content.signals.content_withdrawn``, after commit: a published item was hidden or removed."""
    items_withdrawn([item_id])


def items_withdrawn(item_ids: Collection[int]) -> int:
    """Take ``item_ids`` out of everything that could still show them; returns how many were sent.

    Call after the commit that withdrew them. This process's catalog snapshot and card bodies drop
    them at once; one ``push.all`` message per ASGI process (whatever the number of sockets) sends
    ``feed.removed`` for each to every open socket, and each of those processes drops them from its
    snapshot too. Precomputed candidate lists keep the items: a list is only a candidate set, which
    every request filters through the snapshot, and every page is checked against the database
    (``ranking.feed.feed_page``). With the channel layer down the pushes are lost (logged).
    """
    ids = sorted(set(item_ids))
    if not ids:
        return 0
    catalog.withdraw(ids)
    card_bodies_forget(ids)
    texts = [_encode(removed_payload(item_id)) for item_id in ids]
    try:
        group_send_many([(BROADCAST_GROUP, {"type": "push.all", "texts": texts, "withdrawn": ids})])
    except realtime.RealtimeUnavailable:
        logger.warning("real-time store unavailable: removal of %d items not pushed", len(ids))
        return 0
    return len(ids)
