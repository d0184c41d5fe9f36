"""Content similarity for new items: nobody has interacted with them yet, so only what they say
about themselves (caption words, tags, category, brand, creator) can bring them to a shopper.

    catalog build (``ranking.catalog``: per process, every TTL, off the request path)
      → recent items: published within ``WINDOW_DAYS``, at most ``MAX_ENGAGEMENT`` interactions,
        the ``MAX_ITEMS`` newest still servable (``content.selectors.recent_described``)
      → tokens: caption words, ``tag:<id>``, ``cat:<root id>``, ``brand:<id>``, ``creator:<id>``
      → ``ContentIndex``: TF-IDF rows, L2-normalised (items × tokens, scipy CSR)
    request (``serving.rank`` → ``live.similar``)
      → what the shopper engaged with (``engaged_items``: their events and recent list, positive
        ones weighted by strength and recency, the ``PROFILE_ITEMS`` heaviest)
      → their vectors: an index row, else tokens from the per-process cache, else one query
      → profile = Σ weight × vector → cosine with every row (one sparse product) → best unseen

Items with interactions reach shoppers through the collaborative generators once the world is
refitted; until then (and for items too new to be in any world) this is their way in.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.utils import timezone

from content.selectors import Described, category_roots, items_described, recent_described
from feedsite import caches
from ranking.history import EVENT_GRADE, UNKNOWN_ITEM
from ranking.timed_cache import TimedCache
from ranking.world import World

# "New": published within two weeks, with at most 50 interactions (``ContentItem.engagement``), the
# 5,000 newest: small enough for every process to hold and score on each request (bench/similar.py).
WINDOW_DAYS = 14
MAX_ENGAGEMENT = 50
MAX_ITEMS = 5_000
# A profile of the 50 items with the most weight: older and weaker ones change little but cost a lookup each.
PROFILE_ITEMS = 50
# A label (tag, category, brand, creator) weighs twice a caption word: somebody chose it to describe
# the item, where a caption also chats. Not fitted on data: a starting point.
LABEL_WEIGHT = 2.0
MIN_WORD_LENGTH = 3
# Below this cosine an item is not "like what you've been watching", only new: on the demo shop the
# 30th best match of a shopper scores 0.36 to 0.65, sharing only words every caption has ~0.03.
MIN_SIMILARITY = 0.1
# Words of three letters or more that say nothing about what an item shows (text: a word list
# reads better than 100 quoted strings).
STOP_WORDS = frozenset(
    """
    about after again all also and any are been before being but can could did does doing down
    for from get got had has have her here hers him his how into its just like more most much
    not now off once only other our ours out over own same she should some such than that the
    their them then there these they this those too under until very was were what when where
    which while who whom why will with would you your yours
    """.split()  # noqa: SIM905
)
WORD = re.compile(r"[^\W\d_]+")  # runs of letters (any script): digits and punctuation split words

# Tokens of items outside the index (older items a shopper engaged with), kept per process: a
# caption rarely changes, and the same shopper asks again on their next page. 20,000 items of 17
# interned tokens hold 13 MB; entries older than the TTL are re-read (a tag changed by a moderator).
CACHE_MAX_ITEMS = 20_000
CACHE_TTL_SECONDS = 3600.0


@dataclass(frozen=True)
class Tokens:
    """An item's tokens and their term weights (before IDF): caption words 1 + ln(count), labels ``LABEL_WEIGHT``."""

    terms: tuple[str, ...]
    weights: np.ndarray  # float64, one per term


def tokens(item: Described, roots: Mapping[int, int]) -> Tokens:
    """``item``'s tokens; ``roots`` maps a category tag to its root category (``category_roots``)."""
    words = Counter(
        word for word in WORD.findall(item.caption.lower()) if len(word) >= MIN_WORD_LENGTH and word not in STOP_WORDS
    )
    labels = dict.fromkeys(f"tag:{tag}" for tag in item.tags)
    labels.update(dict.fromkeys(f"cat:{roots[tag]}" for tag in item.tags if tag in roots))
    for kind, pk in (("brand", item.brand), ("creator", item.creator)):
        if pk is not None:
            labels[f"{kind}:{pk}"] = None
    # Interned: the cache holds the same few thousand strings many times over.
    return Tokens(
        terms=tuple(sys.intern(term) for term in (*words, *labels)),
        weights=np.array([*(1.0 + math.log(n) for n in words.values()), *[LABEL_WEIGHT] * len(labels)]),
    )


_tokens: TimedCache[int, Tokens] = TimedCache(seconds=CACHE_TTL_SECONDS, max_size=CACHE_MAX_ITEMS)
caches.register("ranking.content_index", _tokens.forget)


def tokens_of(ids: Iterable[int], roots: Mapping[int, int]) -> dict[int, Tokens]:
    """Tokens of the items among ``ids`` that exist: cached, the misses read in one query."""
    return _tokens.get_many(ids, lambda missing: {item.pk: tokens(item, roots) for item in items_described(missing)})


@dataclass(frozen=True)
class ContentIndex:
    ids: np.ndarray  # int64 content id of each row, newest first
    row_of: dict[int, int]
    vocabulary: dict[str, int]  # token → column
    # float64 ln((1 + n) / (1 + df)) + 1 of each column, then (at -1) that of a token no row has
    idf: np.ndarray
    rows: sp.csr_matrix  # (items × vocabulary) float64 TF-IDF, each row of unit length
    roots: dict[int, int]  # category tag → root, as of the build

    def profile(self, engaged: Mapping[int, float]) -> np.ndarray:
        """Σ weight × unit TF-IDF vector of the engaged items, over the vocabulary (dense).

        An item in the index is its row; the others are tokenized (cached; one query for misses).
        """
        rows, weights, outside = [], [], []
        for pk, weight in engaged.items():
            row = self.row_of.get(pk)
            if row is None:
                outside.append(pk)
            else:
                rows.append(row)
                weights.append(weight)
        profile = np.zeros(len(self.vocabulary))
        if rows:  # the rows taken out first: half the time of a product with every row
            profile += self.rows[rows].T @ np.asarray(weights)
        if outside:
            profile += self._outside(tokens_of(outside, self.roots), engaged)
        return profile

    def _outside(self, items: Mapping[int, Tokens], engaged: Mapping[int, float]) -> np.ndarray:
        """``profile`` of items outside the index: all their tokens at once, not a loop per item and
        token. A token no row has lengthens its item's vector, nothing more."""
        if not items:
            return np.zeros(len(self.vocabulary))
        columns = np.fromiter((self.vocabulary.get(t, -1) for item in items.values() for t in item.terms), np.int64)
        values = np.concatenate([item.weights for item in items.values()]) * self.idf[columns]
        item_of = np.repeat(np.arange(len(items)), [len(item.terms) for item in items.values()])
        lengths = np.sqrt(np.bincount(item_of, values * values, minlength=len(items)))
        scale = np.fromiter((engaged[pk] for pk in items), np.float64, len(items)) / np.maximum(lengths, 1e-12)
        known = columns >= 0
        return np.bincount(columns[known], (values * scale[item_of])[known], minlength=len(self.vocabulary))

    def propose(self, engaged: Mapping[int, float], budget: int, *, exclude: AbstractSet[int]) -> list[int]:
        """Up to ``budget`` index items most like ``engaged`` (cosine with their weighted sum, at
        least ``MIN_SIMILARITY``), best first, the newest first among equals; none of ``engaged`` or
        ``exclude``."""
        if not engaged or not len(self.ids) or budget <= 0:
            return []
        profile = self.profile(engaged)
        length = np.linalg.norm(profile)
        if not length:
            return []
        scores = self.rows @ (profile / length)
        wanted = budget * 4  # most of what is best is usually unseen; widened when it is not
        while True:
            top = np.argpartition(-scores, wanted)[:wanted] if wanted < len(scores) else np.arange(len(scores))
            top = top[scores[top] >= MIN_SIMILARITY]
            best = top[np.lexsort((top, -scores[top]))]
            proposed = [pk for pk in self.ids[best].tolist() if pk not in engaged and pk not in exclude]
            # Done when enough, when every row was looked at, or when the best ``wanted`` reached below the bar.
            if len(proposed) >= budget or wanted >= len(scores) or len(top) < wanted:
                return proposed[:budget]
            wanted *= 4


def build(servable: Collection[int]) -> ContentIndex:
    """The index of recent, little-engaged items among ``servable``; 2 queries.

    Their tokens go to the per-process cache too: a shopper's profile often holds index items
    after they fall out of it.
    """
    since = timezone.now() - timedelta(days=WINDOW_DAYS)
    described = recent_described(since=since, max_engagement=MAX_ENGAGEMENT, limit=MAX_ITEMS)
    roots = category_roots()
    items = {item.pk: tokens(item, roots) for item in described if item.pk in servable}
    _tokens.put_many(items)
    return index_of(items, roots)


def index_of(items: Mapping[int, Tokens], roots: dict[int, int]) -> ContentIndex:
    """The index of ``items`` (content id → tokens, in row order)."""
    vocabulary: dict[str, int] = {}
    columns = [vocabulary.setdefault(term, len(vocabulary)) for item in items.values() for term in item.terms]
    weights = [weight for item in items.values() for weight in item.weights]
    indptr = np.cumsum([0, *(len(item.terms) for item in items.values())])
    tf = sp.csr_matrix((weights, columns, indptr), shape=(len(items), len(vocabulary)), dtype=np.float64)
    df = np.bincount(tf.indices, minlength=len(vocabulary))
    idf = np.log((1 + len(items)) / (1 + np.append(df, 0))) + 1
    rows = sp.csr_matrix(tf @ sp.diags(idf[:-1]))
    lengths = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    rows = sp.csr_matrix(sp.diags(1 / np.maximum(lengths, 1e-12)) @ rows)
    return ContentIndex(
        ids=np.fromiter(items, np.int64, len(items)),
        row_of={pk: n for n, pk in enumerate(items)},
        vocabulary=vocabulary,
        idf=idf,
        rows=rows,
        roots=roots,
    )


def engaged_items(
    world: World,
    events: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    recent: Iterable[tuple[int, str, float]] | None,
    *,
    now: float,
) -> dict[int, float]:
    """Content id → weight of what the shopper engaged with: the ``PROFILE_ITEMS`` heaviest.

    ``events`` are the shopper's (world item index, time, value, grade); ``recent`` their recent
    list, which also names the items the world was not fitted on (published since). A positive event
    weighs its grade (``history.EVENT_GRADE``) halved every ``FEED_AFFINITY_HALF_LIFE_HOURS`` of
    age, as the real-time affinities; an item keeps its heaviest event.
    """
    items, times, _, grades = events
    known = (items >= 0) & (grades > 0)
    ids = world.items[items[known]]
    times, grades = times[known], grades[known].astype(np.float64)
    # The events hold the recent list too, but as the unknown item where the world does not know it.
    entries = [(pk, ts, EVENT_GRADE.get(kind, 1)) for pk, kind, ts in recent or () if pk not in world.item_index]
    if entries:
        ids = np.concatenate([ids, np.fromiter((e[0] for e in entries), np.int64, len(entries))])
        times = np.concatenate([times, np.fromiter((e[1] for e in entries), np.float64, len(entries))])
        grades = np.concatenate([grades, np.fromiter((e[2] for e in entries), np.float64, len(entries))])
    half_life = settings.FEED_AFFINITY_HALF_LIFE_HOURS * 3600.0
    weights = grades * np.exp2(-np.maximum(now - times, 0.0) / half_life)
    keep = (ids != UNKNOWN_ITEM) & (weights > 0)
    ids, weights = ids[keep], weights[keep]
    order = np.argsort(-weights, kind="stable")
    ids, first = np.unique(ids[order], return_index=True)  # each item's heaviest event
    heaviest = np.argsort(first)[:PROFILE_ITEMS]
    return dict(zip(ids[heaviest].tolist(), weights[order][first[heaviest]].tolist(), strict=True))
