"""Reading single values of a dataset: timestamps, prices, categories and tags, event kinds."""

from __future__ import annotations

import functools
import json
import math
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from content.models import Tag
from content.services import category_path_split, tag_slug
from profiles.events.models import InteractionType

TAG_NAME_MAX = 120  # Tag.name
PRICE_MAX = Decimal("99999999.99")  # Product.price: max_digits=10, decimal_places=2
CENT = Decimal("0.01")

_T = InteractionType
# Dataset event kinds (lower case, "-" and " " read as "_") to interaction types. The project's own
# type names map to themselves; anything else becomes "other" with the kind kept in context["kind"].
EVENT_TYPES: dict[str, str] = {value: value for value in _T.values} | {
    "click": _T.OPEN,
    "cart": _T.ADD_TO_CART,
    "addtocart": _T.ADD_TO_CART,
    "buy": _T.PURCHASE,
    "transaction": _T.PURCHASE,
    "order": _T.PURCHASE,
    "rating": _T.RATE,
    "review": _T.RATE,
}


@functools.lru_cache(maxsize=1 << 10)
def interaction_type(kind: str) -> str:
    """The interaction type of a dataset event kind (``InteractionType.OTHER`` when unknown)."""
    return EVENT_TYPES.get(kind.lower().replace("-", "_").replace(" ", "_"), InteractionType.OTHER)


def parse_timestamp(raw: str) -> datetime | None:
    """``raw`` as an aware UTC datetime, or ``None`` when it is not a timestamp the format allows.

    Accepted: Unix seconds (integer or float) and ISO-8601 with an offset (``Z`` included). A naive
    ISO value is refused rather than read as UTC: FORMAT.md requires the offset, and guessing a zone
    would shift events by hours without anybody noticing.
    """
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            return None
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if parsed.utcoffset() is None:
        return None
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return None


def db_datetime(value: datetime) -> str:
    """UTC as ``YYYY-MM-DD HH:MM:SS[.ffffff]``, no offset: Django's SQLite storage format.

    The PostgreSQL writer stages it as ``timestamp`` and converts with ``AT TIME ZONE 'UTC'``, so
    both backends read the same spool.
    """
    return str(value.astimezone(UTC).replace(tzinfo=None))


@functools.lru_cache(maxsize=1 << 14)
def category_names(raw: str) -> tuple[str, ...]:
    """Category path parts, root first; a bare number (Ciao's category ids) reads ``Category 12``.

    Cached: a dataset has far fewer categories than items, and items share the tuple.
    """
    return tuple(f"Category {part}" if part.isdigit() else part[:TAG_NAME_MAX] for part in category_path_split(raw))


def parse_price(raw: str) -> Decimal | None:
    """A price that fits ``Product.price`` (not negative, cents), else ``None``."""
    try:
        price = Decimal(raw)
    except InvalidOperation:
        return None
    if not price.is_finite() or price < 0 or price > PRICE_MAX:
        return None
    return price.quantize(CENT)


# (slug, name, kind, parent slug) of a tag to ensure.
TagSpec = tuple[str, str, str, str | None]


# Slugs are cached: slugify is slow next to a dict lookup, and items share few categories and topics.
@functools.lru_cache(maxsize=1 << 14)
def category_tags(categories: tuple[str, ...]) -> tuple[TagSpec, ...]:
    tags: list[TagSpec] = []
    parent: str | None = None
    for depth, name in enumerate(categories):
        slug = tag_slug(Tag.Kind.CATEGORY, categories[: depth + 1])
        tags.append((slug, name, Tag.Kind.CATEGORY, parent))
        parent = slug
    return tuple(tags)


@functools.lru_cache(maxsize=1 << 14)
def topic_tag(name: str) -> TagSpec:
    return (tag_slug(Tag.Kind.TOPIC, [name]), name, Tag.Kind.TOPIC, None)


@functools.lru_cache(maxsize=1 << 16)
def cached_timestamp(raw: str) -> tuple[datetime, str] | None:
    """``parse_timestamp`` and ``db_datetime`` of ``raw``.

    Cached: datasets repeat timestamps a lot (Ciao's have a resolution of one day); 65,536 entries
    take about 15 MB.
    """
    parsed = parse_timestamp(raw)
    return (parsed, db_datetime(parsed)) if parsed is not None else None


_quote = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses for a str


def context_json(context: dict[str, str]) -> str:
    """``json.dumps(context, ensure_ascii=False)`` for a flat dict of strings, three times as fast."""
    return "{" + ",".join(f"{_quote(key)}:{_quote(value)}" for key, value in context.items()) + "}"
