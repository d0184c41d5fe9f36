"""``manage.py train_ranker``: train the LambdaRank ranker on stored interactions and register it."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ranking.registry import active_ranker
from ranking.selfcheck import self_check_line
from ranking.training import ROUNDS, ranker_train


class Command(BaseCommand):
    help = "Train the feed ranker by replaying stored interactions; activate it unless it scores worse."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--activate",
            choices=("if_better", "always", "never"),
            default="if_better",
            help="activate the new model: if not worse offline than the active one (default), always, or never",
        )
        parser.add_argument("--rounds", type=int, default=ROUNDS, help="at most this many boosting rounds")
        parser.add_argument(
            "--if-none",
            action="store_true",
            help="do nothing when a model this code can serve is active already (`make run`)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verbosity"] > 1:
            logging.getLogger("ranking").setLevel(logging.INFO)
        if options["if_none"] and (current := active_ranker()) is not None:
            self.stdout.write(f"ranker {current.version} is active; not training")
            return
        try:
            model = ranker_train(activate=options["activate"], rounds=options["rounds"], report=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"ranker {model.version}: {model.status}, {model.examples} examples, "
            f"validation ndcg@20 {model.metrics.get('ndcg@20', 0):.4f}, {model.training_seconds:.0f}s"
        )
        if (check := self_check_line(model.metrics)) is not None:
            self.stdout.write(check)
