"""Text matching of a shopper's query against products, posts, creators and tags (no personalization).

    query → ``clean_query`` (control characters out, length checked) → ``search_hits``:
        PostgreSQL: full-text search (``SearchVector``/``SearchQuery``/``SearchRank``) plus trigram
                    word similarity (``pg_trgm``) so that a typo still finds its word;
        elsewhere (SQLite, the embedded default): ``icontains`` on each word plus ``difflib``
                    similarity of the query's words to the names, over a bounded number of rows.

Both return ``Hit``s scored in [0, ~2] with the affinity dimensions each hit stands for
(``brand:ID``, ``creator:ID``, ``tag:ID``): what ranking boosts by and what a search event turns
into intent. Posts come from ``selectors.published()``, so moderation's rules apply.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from django.db import connection
from django.db.models import Q, QuerySet

from content.models import ContentItem, Creator, Product, Tag
from content.selectors import published
from feedsite.errors import ApplicationError

HitType = Literal["product", "post", "creator", "tag"]
MAX_QUERY_CHARS = 100
# Hits of each type considered: a query is answered from at most this many rows of each table.
PER_TYPE = 100
# The embedded default's typo matching compares names of at most this many rows of each table.
FUZZY_ROWS = 2000
# Trigram word similarity from which a word counts as a (misspelt) match.
TRIGRAM_MIN = 0.45
FUZZY_MIN = 0.75
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Hit:
    type: HitType
    pk: int
    score: float
    dims: tuple[str, ...]


def clean_query(raw: str | None) -> str:
    """The query as searched: control characters dropped, whitespace collapsed.

    Raises ``ApplicationError`` (``empty_query``, ``query_too_long``) for an empty query or one of
    more than ``MAX_QUERY_CHARS`` characters. A query of only punctuation is valid and finds nothing.
    """
    text = "".join(ch for ch in (raw or "") if not unicodedata.category(ch).startswith("C"))
    text = " ".join(text.split())
    if not text:
        raise ApplicationError("Type something to search for.", code="empty_query")
    if len(text) > MAX_QUERY_CHARS:
        raise ApplicationError(
            f"A search is at most {MAX_QUERY_CHARS} characters.",
            code="query_too_long",
            extra={"max_chars": MAX_QUERY_CHARS},
        )
    return text


def query_words(query: str) -> list[str]:
    """The words of a query, lower-cased, at most 8 (punctuation is no word)."""
    return [w.lower() for w in _WORD.findall(query)][:8]


def search_hits(query: str, *, postgres: bool | None = None) -> list[Hit]:
    """Everything ``query`` (already ``clean_query``'d) matches, best first (ties by type, then id).

    ``postgres`` chooses the implementation (default: the connection's); tests compare both.
    """
    words = query_words(query)
    if not words:
        return []
    use_postgres = connection.vendor == "postgresql" if postgres is None else postgres
    hits = _hits_postgres(" ".join(words)) if use_postgres else _hits_python(words)
    order = {"product": 0, "post": 1, "creator": 2, "tag": 3}
    return sorted(hits, key=lambda h: (-round(h.score, 6), order[h.type], h.pk))


def _products() -> QuerySet[Product]:
    return Product.objects.filter(active=True)


def _creators() -> QuerySet[Creator]:
    return Creator.objects.filter(status=Creator.Status.APPROVED)


def _product_dims(brand: int | None) -> tuple[str, ...]:
    return (f"brand:{brand}",) if brand else ()


def _post_dims(creator: int | None, brand: int | None, tags: list[int]) -> tuple[str, ...]:
    dims = [f"tag:{t}" for t in tags]
    if brand:
        dims.append(f"brand:{brand}")
    if creator:
        dims.append(f"creator:{creator}")
    return tuple(dims)


def _post_tags(ids: list[int]) -> dict[int, list[int]]:
    tags: dict[int, list[int]] = {pk: [] for pk in ids}
    through = ContentItem.tags.through.objects.filter(contentitem_id__in=ids)
    for item, tag in through.values_list("contentitem_id", "tag_id").order_by("contentitem_id", "tag_id"):
        tags[item].append(tag)
    return tags


def _hits_postgres(text: str) -> list[Hit]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
    from django.db.models.functions import Greatest

    query = SearchQuery(text, config="english", search_type="plain")

    def ranked(rows: QuerySet, vector: Any, *similar: str) -> QuerySet:  # a vector, or a sum of them
        sims = [TrigramWordSimilarity(text, field) for field in similar]
        similarity = sims[0] if len(sims) == 1 else Greatest(*sims)
        return (
            rows.annotate(document=vector, rank=SearchRank(vector, query), similarity=similarity)
            .filter(Q(document=query) | Q(similarity__gte=TRIGRAM_MIN))
            .order_by("-rank", "-similarity", "pk")
        )

    hits: list[Hit] = []
    products = ranked(
        _products(),
        SearchVector("title", weight="A", config="english")
        + SearchVector("brand__name", weight="A", config="english")
        + SearchVector("category_path", weight="C", config="english"),
        "title",
        "brand__name",
    )
    for pk, brand, rank, sim in products.values_list("pk", "brand_id", "rank", "similarity")[:PER_TYPE]:
        hits.append(Hit("product", pk, _score(rank, sim), _product_dims(brand)))
    posts = ranked(
        published(),
        SearchVector("caption", weight="B", config="english")
        + SearchVector("creator__display_name", weight="B", config="english")
        + SearchVector("brand__name", weight="A", config="english"),
        "caption",
        "creator__display_name",
    )
    post_rows = list(posts.values_list("pk", "creator_id", "brand_id", "rank", "similarity")[:PER_TYPE])
    tags = _post_tags([row[0] for row in post_rows])
    for pk, creator, brand, rank, sim in post_rows:
        hits.append(Hit("post", pk, _score(rank, sim), _post_dims(creator, brand, tags[pk])))
    creators = ranked(
        _creators(),
        SearchVector("handle", weight="A", config="simple")
        + SearchVector("display_name", weight="A", config="english")
        + SearchVector("bio", weight="D", config="english"),
        "handle",
        "display_name",
    )
    for pk, rank, sim in creators.values_list("pk", "rank", "similarity")[:PER_TYPE]:
        hits.append(Hit("creator", pk, _score(rank, sim), (f"creator:{pk}",)))
    tag_rows = ranked(Tag.objects.all(), SearchVector("name", weight="A", config="english"), "name")
    for pk, rank, sim in tag_rows.values_list("pk", "rank", "similarity")[:PER_TYPE]:
        hits.append(Hit("tag", pk, _score(rank, sim), (f"tag:{pk}",)))
    return hits


def _score(rank: float, similarity: float) -> float:
    """Full-text rank (A-weighted words ≈ 0.6 and above) capped at 1, plus the trigram similarity."""
    return min(float(rank or 0.0), 1.0) + float(similarity or 0.0)


def _similarity(words: list[str], names: list[str]) -> float:
    """How well the query's words match the words of ``names``: the mean, over the query's words,
    of the best ``difflib`` ratio to any word of the names (0 when below ``FUZZY_MIN``)."""
    tokens = {w.lower() for name in names for w in _WORD.findall(name or "")}
    if not tokens:
        return 0.0
    total = 0.0
    for word in words:
        best = max(difflib.SequenceMatcher(None, word, token).ratio() for token in tokens)
        total += best if best >= FUZZY_MIN else 0.0
    return total / len(words)


def _any_word(fields: tuple[str, ...], words: list[str]) -> Q:
    condition = Q()
    for word in words:
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
    return condition


def _hits_python(words: list[str]) -> list[Hit]:
    """The embedded default's matching: rows containing a word, and (bounded) names close to one.

    Scored like ``_hits_postgres``: the share of the query's words found in the primary fields
    (title, names) counts like a full-text rank, the fuzzy word similarity like the trigram one.
    """
    hits: list[Hit] = []

    def score(primary: list[str], secondary: list[str]) -> float:
        text = " ".join(primary).lower()
        found = sum(1 for w in words if re.search(rf"\b{re.escape(w)}", text)) / len(words)
        other = " ".join(secondary).lower()
        found_other = sum(1 for w in words if w in other) / len(words)
        return min(found * 0.6 + found_other * 0.1, 1.0) + _similarity(words, primary)

    def rows(queryset: QuerySet, fields: tuple[str, ...], names: tuple[str, ...], *columns: str) -> list[tuple]:
        direct = list(queryset.filter(_any_word(fields, words)).values_list(*columns).order_by("pk")[:PER_TYPE])
        seen = {row[0] for row in direct}
        # Typos: names close to a word, among the first FUZZY_ROWS rows (the bound of this path).
        for row in queryset.exclude(pk__in=seen).values_list(*columns).order_by("pk")[:FUZZY_ROWS]:
            named = dict(zip(columns, row, strict=True))
            if _similarity(words, [named[n] for n in names]) > 0:
                direct.append(row)
        return direct

    for pk, title, brand, brand_name, path in rows(
        _products(),
        ("title", "brand__name", "category_path"),
        ("title", "brand__name"),
        "pk",
        "title",
        "brand_id",
        "brand__name",
        "category_path",
    ):
        s = score([title, brand_name or ""], [path])
        if s > 0:
            hits.append(Hit("product", pk, s, _product_dims(brand)))
    post_rows = [
        row
        for row in rows(
            published(),
            ("caption", "creator__display_name", "brand__name"),
            ("caption", "creator__display_name", "brand__name"),
            "pk",
            "caption",
            "creator__display_name",
            "brand__name",
            "creator_id",
            "brand_id",
        )
    ]
    tags = _post_tags([row[0] for row in post_rows])
    for pk, caption, creator_name, brand_name, creator, brand in post_rows:
        s = score([brand_name or ""], [caption, creator_name or ""]) + _similarity(words, [caption])
        s = min(s, 2.0)
        if s > 0:
            hits.append(Hit("post", pk, s * 0.8, _post_dims(creator, brand, tags[pk])))
    for pk, handle, display_name, bio in rows(
        _creators(),
        ("handle", "display_name", "bio"),
        ("handle", "display_name"),
        "pk",
        "handle",
        "display_name",
        "bio",
    ):
        s = score([handle, display_name], [bio])
        if s > 0:
            hits.append(Hit("creator", pk, s, (f"creator:{pk}",)))
    for pk, name in rows(Tag.objects.all(), ("name",), ("name",), "pk", "name"):
        s = score([name], [])
        if s > 0:
            hits.append(Hit("tag", pk, s, (f"tag:{pk}",)))
    return hits
