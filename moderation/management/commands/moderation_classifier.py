"""``manage.py moderation_classifier [--train] [--json]``: how the active text classifier does on
held-back labelled examples (training version 1 from the seed examples when none exists)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from moderation.checks.classifier import classifier_active, classifier_retrain
from moderation.models import ClassifierVersion


class Command(BaseCommand):
    help = (
        "Print the active text classifier's precision and recall on its held-back examples. "
        "--train first trains a new version from moderators' decisions (activated only if not worse)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--train", action="store_true", help="Train a new version first.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        trained: ClassifierVersion | None = None
        active = classifier_active()
        if options["train"]:
            trained = classifier_retrain(force=True)
            if trained is None:
                raise CommandError("Not trained: too few labelled examples of a kind (see the log).")
            active = ClassifierVersion.objects.filter(active=True).first()
        if active is None:
            raise CommandError("No classifier version is active.")
        report = {
            "version": active.version,
            "source": active.source,
            "trained_at": active.trained_at.isoformat(),
            "examples": active.examples,
            "positives": active.positives,
            "held_back": "a stratified quarter of the examples",
            "threshold": active.threshold,
            "precision": round(active.precision or 0.0, 3),
            "recall": round(active.recall or 0.0, 3),
            "notes": active.notes,
            "trained": None if trained is None else {"version": trained.version, "notes": trained.notes},
        }
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        if trained is not None:
            self.stdout.write(f"Trained v{trained.version}: {trained.notes}")
        self.stdout.write(
            f"Active classifier v{report['version']} ({report['source']}, {report['examples']} examples, "
            f"{report['positives']} refused), on held-back examples at probability ≥ {report['threshold']:g}: "
            f"precision {report['precision']:.3f}, recall {report['recall']:.3f}."
        )
