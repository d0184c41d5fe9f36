"""Archive interactions to object storage, then maybe purge: ``manage.py archive_events [--before ISO] [--purge]``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from feedsite.commands import aware_datetime
from profiles.privacy.archive import ARCHIVE_DELAY, interactions_archive, interactions_purge


class Command(BaseCommand):
    help = (
        "Archive every interaction of the whole UTC hours before --before (default: now minus the archive "
        "delay) to object storage; with --purge, then delete archived rows older than EVENT_RETENTION_DAYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", type=aware_datetime, help="archive hours that end by this time (ISO-8601)")
        parser.add_argument("--purge", action="store_true", help="then purge archived rows past the retention window")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        before = options["before"] or now - ARCHIVE_DELAY
        archived = interactions_archive(before=before)
        self.stdout.write(f"archived {archived.rows} rows in {archived.hours} hour files (before {before.isoformat()})")
        if options["purge"]:
            older_than = now - timedelta(days=settings.EVENT_RETENTION_DAYS)
            purged = interactions_purge(older_than=older_than)
            self.stdout.write(
                f"purged {purged.rows} rows of {purged.hours} archived hours before {older_than.isoformat()}; "
                f"{purged.kept} rows not archived yet were kept"
            )
