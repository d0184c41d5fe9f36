"""The import as one service: read and validate everything, then write in one transaction."""

from __future__ import annotations

import time
from pathlib import Path

from django.db import connection, transaction

from content.models import ContentItem, ContentProduct, Product
from profiles.events.models import Interaction
from profiles.importer.reading import read_dataset
from profiles.importer.report import ImportReport, Progress, SilentProgress, SkipReason
from profiles.importer.writing import write_dataset
from profiles.models import Shopper

# The tables a bulk import grows by orders of magnitude: without fresh statistics PostgreSQL plans
# the next queries for the empty tables it remembers (seconds instead of milliseconds each).
_IMPORTED_MODELS = (Product, ContentItem, ContentProduct, ContentItem.tags.through, Shopper, Interaction)


def _refresh_planner_statistics() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(model._meta.db_table for model in _IMPORTED_MODELS)}")


def dataset_import(*, directory: Path, progress: Progress | None = None) -> ImportReport:
    """Import the dataset folder ``directory`` (``shared/data/FORMAT.md``) and report what happened.

    Each item becomes a product and a published product card tagged with its categories and
    topics; each event an interaction of the shopper with that card. Both files are read and
    validated completely first: a missing or unreadable file raises ``DatasetError`` and nothing
    is written. Then everything is written in one transaction, so a failure leaves no trace.
    Safe to run twice: a second run imports no event twice and reports them as already imported.
    """
    started = time.monotonic()
    progress = progress or SilentProgress()
    with read_dataset(directory=directory, progress=progress) as parsed, transaction.atomic():
        written = write_dataset(parsed=parsed, progress=progress)
    _refresh_planner_statistics()
    items_skipped = parsed.items_skipped.copy()
    items_skipped[SkipReason.ALREADY_IMPORTED] += written.items_unchanged
    events_skipped = parsed.events_skipped.copy()
    events_skipped[SkipReason.ALREADY_IMPORTED] += written.events_already_imported
    return ImportReport(
        items_read=parsed.items_read,
        items_imported=written.items_imported,
        items_updated=written.items_updated,
        items_skipped={reason: items_skipped[reason] for reason in SkipReason if items_skipped[reason]},
        brands_created=written.brands_created,
        tags_created=written.tags_created,
        shoppers_created=written.shoppers_created,
        events_read=parsed.events_read,
        events_imported=written.events_imported,
        events_skipped={reason: events_skipped[reason] for reason in SkipReason if events_skipped[reason]},
        elapsed_seconds=time.monotonic() - started,
    )
