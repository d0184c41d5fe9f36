"""Reading and validating a dataset folder (``shared/data/FORMAT.md``) before anything is written.

Both files are read to the end first, so a truncated or unreadable file raises ``DatasetError``
before the first write. Items are kept in memory (one small object per item); valid events go to
a temporary CSV spool that the writer streams into the database, so memory does not grow with the
number of events (``ciao``: a 25 MB spool on disk, and about 70 bytes a row in memory for the
duplicate check).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import math
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from django.utils import timezone

from profiles.events.models import InteractionType
from profiles.importer.report import DatasetError, Progress, SkipReason
from profiles.importer.values import (
    TAG_NAME_MAX,
    TagSpec,
    cached_timestamp,
    category_names,
    category_tags,
    context_json,
    interaction_type,
    parse_price,
    parse_timestamp,
    topic_tag,
)

ITEMS_FILE = "items.csv.gz"
EVENTS_FILE = "events.csv.gz"
ITEM_REQUIRED = ("item_id",)
EVENT_REQUIRED = ("user_id", "item_id", "event", "ts")
# Event columns with a place of their own on Interaction; every other column goes to its context.
EVENT_VALUE_COLUMNS = ("rating", "value")  # the first one given becomes Interaction.value
EVENT_SESSION_COLUMN = "session_id"

# Field sizes of the models the rows land in (Product, ContentItem, Shopper, Interaction, Tag, Brand).
EXTERNAL_ID_MAX = 100
SESSION_ID_MAX = 64
TITLE_MAX = 300
CATEGORY_PATH_MAX = 300
BRAND_NAME_MAX = 200

# Spool columns, in the order the writer's events staging table declares them.
EVENT_SPOOL_COLUMNS = ("event_id", "user_id", "item_id", "type", "occurred_at", "value", "session_id", "context")
EVENT_ID_PREFIX = "ds:"  # + 40 hex digits of SHA-1: 43 characters, Interaction.event_id holds 64


@dataclass(slots=True)
class ItemRow:
    """One valid row of ``items.csv.gz``. ``None`` means "not given": an existing product keeps its value."""

    external_id: str
    title: str | None
    brand: str | None
    categories: tuple[str, ...]
    price: Decimal | None
    topics: tuple[str, ...]
    created_at: datetime | None
    # created_at, else the item's first valid event, else the time of reading.
    published_at: datetime | None = None

    @property
    def category_path(self) -> str | None:
        """The path as the app writes it (``Product.category_path``), so its tags get the same slugs."""
        return " > ".join(self.categories)[:CATEGORY_PATH_MAX] or None

    def tag_slugs(self) -> list[TagSpec]:
        """Every tag of the item: category levels root first, then topics."""
        return [*category_tags(self.categories), *(topic_tag(name) for name in self.topics)]


@dataclass
class ParsedDataset:
    """A validated dataset: items in memory, valid and unique events in a temporary CSV spool.

    ``events`` rows follow ``EVENT_SPOOL_COLUMNS``; an empty field means NULL (PostgreSQL's CSV
    convention). Close it (or use ``with``) to delete the spool.
    """

    items: dict[str, ItemRow]
    items_read: int
    items_skipped: Counter[SkipReason]
    events: IO[str]
    events_valid: int
    events_read: int
    events_skipped: Counter[SkipReason]
    user_ids: set[str]

    def close(self) -> None:
        self.events.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def read_dataset(*, directory: Path, progress: Progress) -> ParsedDataset:
    """Read and validate ``directory``; raises ``DatasetError`` when a file is missing or unreadable."""
    if not directory.is_dir():
        raise DatasetError(f"{directory} is not a directory.")
    for name in (ITEMS_FILE, EVENTS_FILE):
        if not (directory / name).is_file():
            raise DatasetError(f"{directory / name} is missing.")
    items, items_read, items_skipped = _read_items(directory / ITEMS_FILE, progress)
    # Not a "with": the spool outlives this function, ParsedDataset closes it.
    spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
    try:
        first_event_at, user_ids, events_valid, events_read, events_skipped = _read_events(
            directory / EVENTS_FILE, items, spool, progress
        )
    except BaseException:
        spool.close()
        raise
    spool.flush()
    spool.seek(0)
    now = timezone.now()
    for item in items.values():
        item.published_at = item.created_at or first_event_at.get(item.external_id) or now
    return ParsedDataset(
        items=items,
        items_read=items_read,
        items_skipped=items_skipped,
        events=spool,
        events_valid=events_valid,
        events_read=events_read,
        events_skipped=events_skipped,
        user_ids=user_ids,
    )


def _csv_rows(path: Path, progress: Progress) -> Iterator[list[str]]:
    """The rows of a gzip-compressed UTF-8 CSV, header first; progress in compressed bytes.

    A truncated or corrupt gzip stream, bad UTF-8 or broken CSV quoting raise ``DatasetError``.
    """
    progress.start(path.name, total=path.stat().st_size, unit="B")
    reader = None
    try:
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text)
            reported = 0
            for row in reader:
                yield row
                if reader.line_num % 8192 == 0:
                    position = raw.tell()
                    progress.advance(position - reported)
                    reported = position
            progress.advance(raw.tell() - reported)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
        where = f" near line {reader.line_num + 1}" if reader is not None else ""
        raise DatasetError(f"{path.name} cannot be read{where}: {exc}. Nothing was imported.") from exc
    finally:
        progress.finish()


def _header(path: Path, rows: Iterator[list[str]], required: Sequence[str]) -> list[str]:
    header = [name.strip().lower() for name in next(rows, [])]
    if not header:
        raise DatasetError(f"{path.name} is empty: a header row is required.")
    missing = [name for name in required if name not in header]
    if missing:
        raise DatasetError(f"{path.name} lacks the required column(s) {', '.join(missing)}.")
    if len(set(header)) != len(header):
        raise DatasetError(f"{path.name} names a column twice.")
    return header


def _malformed(row: list[str], width: int) -> bool:
    """Wrong number of fields, or a NUL character (which no database text column accepts)."""
    return len(row) != width or "\x00" in "\x01".join(row)


def _read_items(path: Path, progress: Progress) -> tuple[dict[str, ItemRow], int, Counter[SkipReason]]:
    rows = _csv_rows(path, progress)
    header = _header(path, rows, ITEM_REQUIRED)
    width = len(header)
    # An absent optional column reads as the empty string appended to every row.
    id_at, title_at, brand_at, category_at, price_at, tags_at, created_at_at = (
        header.index(name) if name in header else width
        for name in ("item_id", "title", "brand", "category", "price", "tags", "created_at")
    )
    items: dict[str, ItemRow] = {}
    skipped: Counter[SkipReason] = Counter()
    read = 0
    for raw_row in rows:
        if not raw_row:
            continue
        read += 1
        if _malformed(raw_row, width):
            skipped[SkipReason.MALFORMED] += 1
            continue
        row = [value.strip() for value in raw_row]
        row.append("")
        external_id = row[id_at]
        if not external_id:
            skipped[SkipReason.MISSING_FIELD] += 1
        elif len(external_id) > EXTERNAL_ID_MAX:
            skipped[SkipReason.MALFORMED] += 1
        elif external_id in items:
            skipped[SkipReason.DUPLICATE] += 1
        else:
            # Optional values that cannot be used (a price of "n/a", a naive created_at) count as
            # not given rather than costing the item: its events still need it.
            price, tags, created_at = row[price_at], row[tags_at], row[created_at_at]
            items[external_id] = ItemRow(
                external_id=external_id,
                title=row[title_at][:TITLE_MAX] or None,
                brand=row[brand_at][:BRAND_NAME_MAX] or None,
                categories=category_names(row[category_at]),
                price=parse_price(price) if price else None,
                topics=tuple(dict.fromkeys(t.strip()[:TAG_NAME_MAX] for t in tags.split("|") if t.strip()))
                if tags
                else (),
                created_at=parse_timestamp(created_at) if created_at else None,
            )
    return items, read, skipped


def _read_events(
    path: Path, items: dict[str, ItemRow], spool: IO[str], progress: Progress
) -> tuple[dict[str, datetime], set[str], int, int, Counter[SkipReason]]:
    """Write the valid, unique events to ``spool``; returns each item's first event time, the users,
    the number of valid and of read rows and the skips."""
    rows = _csv_rows(path, progress)
    header = _header(path, rows, EVENT_REQUIRED)
    width = len(header)
    user_at, item_at, event_at, ts_at = (header.index(name) for name in EVENT_REQUIRED)
    value_at = [(name, header.index(name)) for name in EVENT_VALUE_COLUMNS if name in header]
    session_at = header.index(EVENT_SESSION_COLUMN) if EVENT_SESSION_COLUMN in header else None
    # Every column but the four required ones, by name: they enter the event's identity.
    others = sorted((name, index) for index, name in enumerate(header) if name not in EVENT_REQUIRED)
    context_at = [(name, index) for name, index in others if name not in (*EVENT_VALUE_COLUMNS, EVENT_SESSION_COLUMN)]

    writer = csv.writer(spool, lineterminator="\n")
    seen: set[bytes] = set()
    first_event_at: dict[str, datetime] = {}
    user_ids: set[str] = set()
    skipped: Counter[SkipReason] = Counter()
    read = valid = 0
    for raw_row in rows:
        if not raw_row:
            continue
        read += 1
        if _malformed(raw_row, width):
            skipped[SkipReason.MALFORMED] += 1
            continue
        row = [value.strip() for value in raw_row]
        user_id, item_id, kind, ts = row[user_at], row[item_at], row[event_at], row[ts_at]
        if not (user_id and item_id and kind and ts):
            skipped[SkipReason.MISSING_FIELD] += 1
            continue
        timestamp = cached_timestamp(ts)
        if timestamp is None:
            skipped[SkipReason.BAD_TIMESTAMP] += 1
            continue
        occurred_at, occurred_at_db = timestamp
        numbers = _numbers(row, value_at)
        session_id = row[session_at] if session_at is not None else ""
        if (
            numbers is None
            or len(user_id) > EXTERNAL_ID_MAX
            or len(item_id) > EXTERNAL_ID_MAX
            or len(session_id) > SESSION_ID_MAX
        ):
            skipped[SkipReason.MALFORMED] += 1
            continue
        if item_id not in items:
            skipped[SkipReason.UNKNOWN_ITEM] += 1
            continue
        # Identity of an event: the whole row with the timestamp normalised (so 1600000000 and
        # 2020-09-13T12:26:40Z are the same event) and empty columns left out. NUL cannot occur in
        # a row (see _malformed), so it separates the parts unambiguously.
        identity = [user_id, item_id, kind, occurred_at_db]
        for name, index in others:
            if row[index]:
                identity += (name, row[index])
        digest = hashlib.sha1("\x00".join(identity).encode()).digest()
        if digest in seen:
            skipped[SkipReason.DUPLICATE] += 1
            continue
        seen.add(digest)
        context = {name: row[index] for name, index in context_at if row[index]}
        type_ = interaction_type(kind)
        if type_ == InteractionType.OTHER and kind.lower() != InteractionType.OTHER:
            context["kind"] = kind
        value = None
        for name, raw, number in numbers:
            if value is None:
                value = number
            else:
                context[name] = raw  # "rating" and "value" both given: rating wins, value is kept
        writer.writerow(
            (
                EVENT_ID_PREFIX + digest.hex(),
                user_id,
                item_id,
                type_,
                occurred_at_db,
                repr(value) if value is not None else "",
                session_id,
                context_json(context),
            )
        )
        valid += 1
        user_ids.add(user_id)
        if item_id not in first_event_at or occurred_at < first_event_at[item_id]:
            first_event_at[item_id] = occurred_at

    return first_event_at, user_ids, valid, read, skipped


def _numbers(row: list[str], value_at: list[tuple[str, int]]) -> list[tuple[str, str, float]] | None:
    """``(name, raw, number)`` of the given numeric columns; ``None`` if one is not a finite number."""
    numbers = []
    for name, index in value_at:
        raw = row[index]
        if not raw:
            continue
        try:
            number = float(raw)
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        numbers.append((name, raw, number))
    return numbers
