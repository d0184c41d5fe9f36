"""``manage.py import_dataset DIR``: import a dataset folder (see profiles.importer)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from profiles.importer.report import DatasetError, ImportReport, SkipReason
from profiles.importer.services import dataset_import


class _TqdmProgress:
    """One tqdm bar per stage of the import, on stderr."""

    def __init__(self, *, disable: bool) -> None:
        self.disable = disable
        self.bar: tqdm[Any] | None = None

    def start(self, stage: str, *, total: int | None, unit: str) -> None:
        self.bar = tqdm(
            total=total, desc=stage, unit=unit, unit_scale=unit == "B", file=sys.stderr, disable=self.disable
        )

    def advance(self, amount: int) -> None:
        if self.bar is not None:
            self.bar.update(amount)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _skips(skipped: dict[SkipReason, int]) -> str:
    return ", ".join(f"{count:,} {reason}" for reason, count in skipped.items()) or "none"


def report_lines(report: ImportReport) -> list[str]:
    return [
        f"Items:    {report.items_read:,} read, {report.items_imported:,} imported, "
        f"{report.items_updated:,} updated; skipped: {_skips(report.items_skipped)}",
        f"Brands:   {report.brands_created:,} created; tags: {report.tags_created:,} created",
        f"Shoppers: {report.shoppers_created:,} created",
        f"Events:   {report.events_read:,} read, {report.events_imported:,} imported; "
        f"skipped: {_skips(report.events_skipped)}",
        f"Done in {report.elapsed_seconds:.1f} s.",
    ]


class Command(BaseCommand):
    help = (
        "Import a dataset folder (items.csv.gz and events.csv.gz, see shared/data/FORMAT.md) as products, "
        "product cards, shoppers and interactions. All or nothing; safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="folder holding items.csv.gz and events.csv.gz")
        parser.add_argument("--no-progress", action="store_true", help="do not show progress bars")

    def handle(self, *args: Any, directory: Path, no_progress: bool, verbosity: int, **options: Any) -> None:
        progress = _TqdmProgress(disable=no_progress or verbosity == 0)
        try:
            report = dataset_import(directory=directory, progress=progress)
        except DatasetError as exc:
            raise CommandError(exc.message) from exc
        for line in report_lines(report):
            self.stdout.write(line)
