"""What an import tells its caller: the report, the skip reasons, the error type, progress hooks."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol

from feedsite.errors import ApplicationError


class SkipReason(enum.StrEnum):
    """Why a row was not imported. A row is counted once, under the first reason that applies."""

    MALFORMED = "malformed row"
    MISSING_FIELD = "missing field"
    BAD_TIMESTAMP = "bad timestamp"
    UNKNOWN_ITEM = "unknown item"
    DUPLICATE = "duplicate"
    ALREADY_IMPORTED = "already imported"


class DatasetError(ApplicationError):
    """The dataset cannot be imported at all (missing or unreadable file, wrong header); nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_dataset")


@dataclass
class ImportReport:
    """What one run imported and skipped.

    Items: ``items_imported`` products (with their product card) are new, ``items_updated``
    existed and took new values from the file; an item that existed unchanged is skipped as
    ``already imported``. Events: ``events_imported`` interactions are new. ``*_read`` count data
    rows (blank lines excluded), so ``read == imported + updated + sum(skipped)``.
    """

    items_read: int = 0
    items_imported: int = 0
    items_updated: int = 0
    items_skipped: dict[SkipReason, int] = field(default_factory=dict)
    brands_created: int = 0
    tags_created: int = 0
    shoppers_created: int = 0
    events_read: int = 0
    events_imported: int = 0
    events_skipped: dict[SkipReason, int] = field(default_factory=dict)
    elapsed_seconds: float = 0.0


class Progress(Protocol):
    """Receives progress as the import runs: one stage at a time, ``advance`` in the stage's unit."""

    def start(self, stage: str, *, total: int | None, unit: str) -> None: ...

    def advance(self, amount: int) -> None: ...

    def finish(self) -> None: ...


class SilentProgress:
    def start(self, stage: str, *, total: int | None, unit: str) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass

    def finish(self) -> None:
        pass
