"""``python manage.py kpi_rollup [--since YYYY-MM-DD]``: count the feed's KPIs into the daily rollup."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from experiments.kpis.services import first_countable_day, kpi_days_rollup, kpi_recent_refresh


class Command(BaseCommand):
    help = (
        "Count the feed's KPIs per UTC day into the rollup the admin's dashboard reads. Without --since, "
        "what the beat task does (today, and the days missing or not settled); with --since, every day "
        "from that one to today again, e.g. after importing past events (days before the event "
        "retention window are never counted again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=date.fromisoformat, help="first UTC day to count again (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        since: date | None = options["since"]
        if since is None:
            days = kpi_recent_refresh(now=now)
        else:
            today = now.astimezone(UTC).date()
            if since > today:
                raise CommandError(f"--since {since.isoformat()} is after today ({today.isoformat()}, UTC).")
            countable = first_countable_day(now=now)
            if since < countable:
                self.stderr.write(
                    f"Days before {countable.isoformat()} began before the event retention window: kept as they are."
                )
            days = kpi_days_rollup(first=since, last=today, now=now)
        if days:
            self.stdout.write(f"Counted {len(days)} day(s), {days[0].isoformat()} to {days[-1].isoformat()}.")
        else:
            self.stdout.write("Nothing to count: every day is up to date.")
