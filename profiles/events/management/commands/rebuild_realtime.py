"""Rebuild the real-time state from the database: ``manage.py rebuild_realtime [--since ISO]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from feedsite import realtime
from feedsite.commands import aware_datetime
from profiles.events.rebuild import REBUILD_BATCH, realtime_rebuild


class Command(BaseCommand):
    help = (
        "Clear the real-time state (rt:s:*, rt:i:*, rt:c:*, rt:p:* and the applied-event markers) and replay "
        "the stored interactions into it in time order."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=aware_datetime, help="replay only interactions from this time (ISO-8601)")
        parser.add_argument("--batch-size", type=int, default=REBUILD_BATCH)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = realtime_rebuild(since=options["since"], batch_size=options["batch_size"])
        except realtime.RealtimeUnavailable as exc:
            raise CommandError(f"the real-time store is unavailable: {exc}") from exc
        self.stdout.write(
            f"cleared {report.keys_cleared} keys; replayed {report.events} interactions in {report.batches} "
            f"batches ({report.applied} applied, {report.events - report.applied} already applied by a consumer)"
        )
