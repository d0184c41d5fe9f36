"""``manage.py seed_moderation_demo``: give the demo's moderators a queue (see ``moderation.demo``)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from feedsite.errors import ApplicationError
from moderation import demo


class Command(BaseCommand):
    help = "After seed_demo: held posts, reports, an auto-hidden post and an appeal for the demo's moderators."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when it was done before.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = demo.seed_moderation_demo(if_empty=options["if_empty"])
        except ApplicationError as exc:
            if options["if_empty"]:  # make run on a shop that is not the demo's, or in production
                self.stdout.write(f"Moderation demo not seeded: {exc.message}")
                return
            raise CommandError(exc.message) from exc
        if done is None:
            self.stdout.write("Moderation demo already seeded.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Moderation demo: {done.submitted} submissions screened, {done.reported} reports "
                f"({done.hidden} post hidden by reports), {done.appealed} appeal; {done.open_cases} open cases."
            )
        )
        for username in (demo.MODERATOR_USERNAME, demo.MARKETER_USERNAME):
            self.stdout.write(f"  {username} / {demo.DEMO_STAFF_PASSWORD} at /admin/")
