"""``manage.py seed_demo``: fill the database with the demo shop (see ``profiles.demo``)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from feedsite.errors import ApplicationError
from profiles import signals
from profiles.demo import seed as demo


class Command(BaseCommand):
    help = (
        "Seed a demo shop: brands, products, creators, content with generated images and videos, "
        "and shoppers with histories. Deterministic for a given --seed and --scale."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=7, help="Random seed (default 7).")
        parser.add_argument("--scale", type=float, default=1.0, help="Size factor, e.g. 0.02 for tests (default 1).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when content already exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        # One moment for the shop and what the rooms above add to it: their times are relative to it.
        now = timezone.now()
        try:
            summary = demo.seed_demo(
                seed=options["seed"],
                scale=options["scale"],
                now=now,
                if_empty=options["if_empty"],
                progress=lambda line: self.stdout.write(f"  {line}") if options["verbosity"] > 1 else None,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if summary is None:
            self.stdout.write("Content already exists; demo not seeded.")
            return
        # What the rooms above add to the demo (an experiment with its results…), a line each.
        answers = signals.demo_seeded.send(sender=None, seed=options["seed"], scale=options["scale"], now=now)
        added = [line for _, line in answers]
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Demo seeded in {elapsed:.1f} s (seed {options['seed']})."))
        for line in _describe(summary):
            self.stdout.write(f"  {line}")
        for line in filter(None, added):
            self.stdout.write(f"  {line}")
        if settings.PRODUCTION:
            self.stdout.write("No demo admin in production: create one with manage.py createsuperuser.")
        else:
            admin = "created" if summary.admin_created else "already existed, password unchanged"
            self.stdout.write(f"Admin: {demo.ADMIN_USERNAME} / {demo.ADMIN_PASSWORD} at /admin/ ({admin})")
        self.stdout.write(
            f"Shoppers: shopper1 … shopper{summary.shoppers} / {demo.DEMO_PASSWORD}; "
            f"shopper-creators sign in with their handle / {demo.DEMO_PASSWORD}"
        )


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in sorted(counter.items()))


def _describe(summary: demo.DemoSummary) -> list[str]:
    return [
        f"{summary.brands} brands, {summary.products} products ({summary.out_of_stock} out of stock)",
        f"creators: {_counts(summary.creators)} ({summary.verified} verified)",
        f"tags: {_counts(summary.tags)}",
        f"content: {sum(summary.statuses.values())} items; {_counts(summary.items)}",
        f"statuses: {_counts(summary.statuses)}",
        f"media files: {summary.media_files}",
        f"shoppers: {summary.shoppers}, {summary.follows} follows, {summary.interests} interests",
        f"interactions: {sum(summary.interactions.values())}; {_counts(summary.interactions)}",
    ]
