"""Temporary staging tables per backend: PostgreSQL loads them with COPY, SQLite with executemany.

After loading, the writer's SQL is the same on both backends; ``Backend`` holds what differs
(column types, loading, turning a staged naive-UTC timestamp into the model's value).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from django.db import connection
from django.db.backends.utils import CursorWrapper

from profiles.importer.reading import EVENT_SPOOL_COLUMNS

# Rows per executemany on SQLite; 5,000 rows of 8 columns stay well under a megabyte of parameters.
SQLITE_BATCH = 5_000
COPY_CHUNK = 1 << 20
# PostgreSQL advisory lock that serialises imports (any constant unique to this use).
IMPORT_LOCK_KEY = 0x5EED_1A7A


@dataclass(frozen=True)
class Staging:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, portable type)


ITEMS = Staging(
    "feedsite_import_items",
    (
        ("external_id", "text"),
        ("title", "text"),
        ("brand_id", "int"),
        ("category_path", "text"),
        ("price", "decimal"),
        ("published_at", "timestamp"),
    ),
)
ITEM_TAGS = Staging("feedsite_import_item_tags", (("external_id", "text"), ("tag_id", "int")))
SHOPPERS = Staging("feedsite_import_shoppers", (("external_id", "text"), ("visitor_id", "uuid")))
_EVENT_TYPES = {"occurred_at": "timestamp", "value": "float", "context": "json"}
EVENTS = Staging(
    "feedsite_import_events", tuple((name, _EVENT_TYPES.get(name, "text")) for name in EVENT_SPOOL_COLUMNS)
)
STAGINGS = (ITEMS, ITEM_TAGS, SHOPPERS, EVENTS)


class Backend:
    """What differs between PostgreSQL and SQLite: staging DDL, loading, reading a UTC timestamp."""

    types: dict[str, str]
    temp: str  # schema of temporary tables, to name them unambiguously

    def __init__(self, cursor: CursorWrapper) -> None:
        self.cursor = cursor

    def table(self, staging: Staging) -> str:
        return f"{self.temp}.{staging.name}"

    def prepare(self) -> None:
        """Serialise imports and set session options; both end with the transaction.

        SQLite needs no lock: it has one writer at a time (a second import waits or fails whole).
        """

    def check_constraints(self) -> None:
        """Run the deferred foreign-key checks now rather than at commit (no-op where they are cheap)."""

    def create(self, staging: Staging) -> None:
        self.drop(staging)
        columns = ", ".join(f"{name} {self.types[kind]}" for name, kind in staging.columns)
        self.cursor.execute(f"CREATE TEMPORARY TABLE {staging.name} ({columns})")

    def drop(self, staging: Staging) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.table(staging)}")

    def load(self, staging: Staging, source: IO[str]) -> None:
        """Append the CSV rows of ``source`` (no header, empty field = NULL) to ``staging``."""
        raise NotImplementedError

    def utc(self, expression: str) -> str:
        """SQL turning a staged ``timestamp`` (naive UTC) into the model's datetime column value."""
        raise NotImplementedError


class Postgres(Backend):
    types = {
        "text": "text",
        "int": "bigint",
        "decimal": "numeric",
        "timestamp": "timestamp",
        "uuid": "uuid",
        "float": "double precision",
        "json": "jsonb",
    }
    temp = "pg_temp"

    def prepare(self) -> None:
        # Wait for any other import to finish, so that this one sees its rows as already imported.
        # Planner estimates on freshly filled tables are far off, which makes PostgreSQL JIT-compile
        # simple statements (a second each); the aggregates over ~300k staged rows want more than
        # the default 4 MB to stay in memory.
        self.cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        self.cursor.execute("SET LOCAL jit = off")
        self.cursor.execute("SET LOCAL work_mem = '64MB'")

    def check_constraints(self) -> None:
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: PostgreSQL checks each inserted
        # row at commit (about a million checks for Ciao, a fifth of the import). Running them here,
        # as Django's check_constraints does, keeps them inside the progress bar.
        connection.check_constraints()

    def load(self, staging: Staging, source: IO[str]) -> None:
        columns = ", ".join(name for name, _ in staging.columns)
        with self.cursor.copy(f"COPY {self.table(staging)} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            while chunk := source.read(COPY_CHUNK):
                copy.write(chunk)
        # Temporary tables are never auto-analysed; without statistics the joins below plan badly.
        self.cursor.execute(f"ANALYZE {self.table(staging)}")

    def utc(self, expression: str) -> str:
        return f"({expression} AT TIME ZONE 'UTC')"


class SQLite(Backend):
    # The types Django gives the same fields, so values compare and store the same way.
    types = {
        "text": "text",
        "int": "integer",
        "decimal": "decimal",
        "timestamp": "text",
        "uuid": "char(32)",
        "float": "real",
        "json": "text",
    }
    temp = "temp"

    def load(self, staging: Staging, source: IO[str]) -> None:
        columns = ", ".join(name for name, _ in staging.columns)
        placeholders = ", ".join(["%s"] * len(staging.columns))
        sql = f"INSERT INTO {self.table(staging)} ({columns}) VALUES ({placeholders})"
        rows = csv.reader(source)
        while batch := [[value if value != "" else None for value in row] for row in islice(rows, SQLITE_BATCH)]:
            self.cursor.executemany(sql, batch)

    def utc(self, expression: str) -> str:
        return expression  # already Django's SQLite format


def csv_rows(rows: Iterable[Sequence[Any]]) -> IO[str]:
    """Rows as an in-memory CSV for ``_Backend.load`` (``None`` becomes an empty field, i.e. NULL)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    return buffer


def backend_for(cursor: CursorWrapper) -> Backend:
    return Postgres(cursor) if connection.vendor == "postgresql" else SQLite(cursor)
