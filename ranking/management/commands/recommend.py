"""``manage.py recommend --users F --k K --out F``: the feed's ranking for dataset shoppers, as JSON lines.

Each user gets what the feed would serve as the first page: the same candidate sources, ranker and
content-mix policy (``ranking.serving.rank``), never an item they already interacted with. Users
the database does not know get the feed of a new shopper.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from content.models import ContentItem
from profiles.models import Shopper
from ranking.policy import policy_for
from ranking.registry import active_ranker
from ranking.serving import rank

THREADS = min(4, os.cpu_count() or 1)


def _in_order(function: Callable[[str], list[str]], items: list[str], threads: int) -> Iterator[list[str]]:
    """``function`` of each of ``items``, in their order: in this thread, or on ``threads`` others."""
    if threads == 1:
        yield from map(function, items)
        return
    with ThreadPoolExecutor(threads) as pool:
        yield from pool.map(function, items)


class Command(BaseCommand):
    help = "Write the feed's top-K items for each user id in a file (one JSON line per user)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--users", required=True, help="file with one dataset user id per line")
        parser.add_argument("--k", type=int, default=20)
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        ranker = active_ranker()
        if ranker is None:
            raise CommandError("No active ranker: run `manage.py train_ranker` first.")
        with open(options["users"]) as fh:
            user_ids = [line.strip() for line in fh if line.strip()]
        shoppers = Shopper.objects.in_bulk(user_ids, field_name="external_id")
        external = dict(ContentItem.objects.exclude(external_id=None).values_list("pk", "external_id"))
        policy = policy_for()
        world = ranker.extra["world"]
        newcomer = Shopper(personalization=False)  # never saved: the feed of somebody new
        # Shoppers side by side, one per core: much of a ranking is NumPy and SciPy work without the
        # GIL. Inside a transaction (a test's) only this thread's connection sees what it wrote.
        threads = 1 if connection.in_atomic_block else THREADS

        def recommend(user_id: str) -> list[str]:
            try:
                # Asked at the end of the data the model knows: the dataset's "now", not the wall clock.
                ranked = rank(
                    shopper=shoppers.get(user_id, newcomer),
                    exclude=set(),
                    size=options["k"],
                    policy=policy,
                    first_page=True,
                    when=world.now,
                )
            finally:
                if threads > 1:
                    connection.close()  # this worker thread's; back to the pool
            return [external.get(s.candidate.item) or str(s.candidate.item) for s in (ranked.slots if ranked else [])]

        with open(options["out"], "w") as out:
            for user_id, items in tqdm(
                zip(user_ids, _in_order(recommend, user_ids, threads), strict=True),
                total=len(user_ids),
                disable=options["verbosity"] == 0,
                unit="user",
            ):
                out.write(json.dumps({"user_id": user_id, "items": items}) + "\n")
        self.stdout.write(f"wrote {len(user_ids)} users to {options['out']}")
