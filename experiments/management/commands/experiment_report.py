"""``manage.py experiment_report NAME [--json]``: an experiment's results, as the results page shows them."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from experiments.models import Experiment
from experiments.results import FRESH, compute, current
from experiments.results import display as show

COLUMNS = (
    ("metric", "metric"),
    ("role", "role"),
    ("n", "shoppers C / T"),
    ("control", "control"),
    ("treatment", "treatment"),
    ("lift", "lift"),
    ("interval", "interval"),
    ("sequential", "sequential interval"),
    ("p_value", "p"),
    ("p_adjusted", "p (Holm)"),
    ("verdict", "verdict"),
)


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned columns, two spaces apart, a rule under the headers."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [headers, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def report_lines(report: dict[str, Any]) -> list[str]:
    """The report as the results page reads: head, exposures, the split, each treatment, guardrails."""
    lines = [
        f"Experiment {report['experiment']} ({show.KIND_LABELS.get(report['kind'], report['kind'])}): "
        f"{show.STATUS_LABELS.get(report['status'], report['status']).lower()}",
    ]
    if report["hypothesis"]:
        lines.append(f"Hypothesis: {report['hypothesis']}")
    if report["started_at"] is None:
        lines.append("Not started: nothing to report yet.")
        return lines
    lines.append(
        f"From {show.minute(report['started_at'])} to {show.minute(report['until'])} UTC ({report['days']:.1f} days); "
        f"figures as of {show.minute(report['computed_at'])} UTC."
    )
    lines.append(
        f"Alpha {report['alpha']}; verdicts after {report['min_sample']:,} shoppers per variant and "
        f"{report['min_days']} days."
    )
    if report["stop_reason"]:
        lines.append(f"Stopped: {report['stop_reason']}")
    lines += ["", "Exposed shoppers"]
    lines += table(
        ["variant", "exposed", "share by design", "note"],
        [
            [
                v["name"],
                f"{v['exposed']:,}",
                show.percent(v["expected_share"]),
                "; ".join(note for note in ("control" if v["name"] == report["control"] else "", _stopped(v)) if note),
            ]
            for v in report["variants"]
        ],
    )
    if report["srm"] is not None:
        lines += ["", ("!! " if report["srm"]["flagged"] else "") + show.srm_text(report["srm"])]
    if report["interleaving"] is not None:
        lines += ["", show.preference_text(report["interleaving"])]
    for read in report["comparisons"]:
        cells = [show.metric_cells(row) for row in read["metrics"]]
        lines += ["", f"{read['variant']} against {read['control']}, until {show.minute(read['until'])} UTC"]
        if not read["ready"]:
            lines.append("Too early for a verdict: the minimum sample or duration is not reached yet.")
        lines += table([title for _, title in COLUMNS], [[row[key] for key, _ in COLUMNS] for row in cells])
        for row in cells:
            if row["cuped"] != show.DASH:
                lines.append(f"  {row['metric']}: CUPED, {row['cuped']}")
            if row["note"]:
                lines.append(f"  {row['metric']}: {row['note']}")
    if report["guardrails"]:
        lines += ["", "Guardrails"]
        lines += [f"  {show.guardrail_text(guard)}" for guard in report["guardrails"]]
    return lines


def _stopped(variant: dict[str, Any]) -> str:
    return f"stopped: {variant['stop_reason'] or 'by hand'}" if variant["stopped_at"] else ""


class Command(BaseCommand):
    help = (
        "Print an experiment's results as the results page shows them (--json: the whole report): the latest "
        "snapshot when the experiment has stopped since or it is recent, else computed now."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", help="the experiment's name")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--fresh",
            action="store_true",
            help=f"compute now, even when a snapshot is final or under {FRESH.seconds // 60} minutes old",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        experiment = Experiment.objects.filter(name=options["name"]).first()
        if experiment is None:
            known = ", ".join(Experiment.objects.order_by("name").values_list("name", flat=True)[:20])
            raise CommandError(f"No experiment is named {options['name']!r}." + (f" Known: {known}." if known else ""))
        report = compute(experiment) if options["fresh"] else current(experiment)
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False))
            return
        for line in report_lines(report):
            self.stdout.write(line)
