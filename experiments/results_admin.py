"""The results page in the admin: ``/admin/experiments/experiment/<id>/results/``.

``ResultsAdminMixin`` gives ``ExperimentAdmin`` the page's URL and the list's link to it (the
change form's is in its template). The page shows the report ``experiments.results.current`` gives
(the latest snapshot when final or recent, else computed now; what ``manage.py experiment_report``
prints) as tables, and draws the intervals and the snapshots over time with Chart.js from the same
data (``static/js/admin/experiment-results.js``); without the library the tables are the page.
Whoever may view experiments may open it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from experiments.models import Experiment
from experiments.results import current, timeline
from experiments.results import display as show
from profiles.dashboard.views import chart_library_url

URL_NAME = "experiments_experiment_results"
FOREST_FIELDS = ("metric", "lift", "lift_low", "lift_high", "seq_low", "seq_high", "verdict")


def results_url(experiment: Experiment) -> str:
    return reverse(f"admin:{URL_NAME}", args=[experiment.pk])


def _comparison(read: dict[str, Any]) -> dict[str, Any]:
    first = read["metrics"][0] if read["metrics"] else {"n_control": 0, "n_treatment": 0}
    n_c, n_t = first["n_control"], first["n_treatment"]
    return read | {
        "shoppers": f"{n_c:,} shoppers in {read['control']}, {n_t:,} in {read['variant']}",
        "until_text": show.minute(read["until"]),
        "rows": [show.metric_cells(row) | {"raw": row} for row in read["metrics"]],
    }


def _chart_data(report: dict[str, Any], series: dict[str, Any]) -> dict[str, Any]:
    """What the charts draw: each treatment's lifts with both intervals, and the snapshots' series."""
    return {
        "forest": [
            {
                "variant": read["variant"],
                "ready": read["ready"],
                "metrics": [
                    {key: row[key] for key in FOREST_FIELDS} | {"name": row["label"].partition(" (")[0]}
                    for row in read["metrics"]
                ],
            }
            for read in report["comparisons"]
        ],
        "timeline": series,
    }


def _timeline_rows(series: dict[str, Any]) -> list[dict[str, Any]]:
    """The snapshots as table rows, newest first: exposures per variant, each treatment's lift."""
    rows = []
    for index, moment in enumerate(series["times"]):
        rows.append(
            {
                "at": show.minute(moment),
                "exposures": [
                    f"{counts[index]:,}" if counts[index] is not None else show.DASH
                    for counts in series["exposures"].values()
                ],
                "lifts": [
                    f"{show.percent(lift['lift'][index], signed=True)} "
                    f"({show.interval(lift['seq_low'][index], lift['seq_high'][index])})"
                    for lift in series["lift"].values()
                ],
            }
        )
    return rows[::-1]


def results_page(modeladmin: admin.ModelAdmin, request: HttpRequest, object_id: int) -> HttpResponse:
    """The experiment's results now, and over time; 403 without permission to view experiments."""
    experiment = Experiment.objects.filter(pk=object_id).first()
    if experiment is None:
        raise Http404("No such experiment.")
    if not modeladmin.has_view_permission(request, experiment):
        raise PermissionDenied
    report = current(experiment)
    series = timeline(experiment)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Results: {experiment.name}",
        "opts": Experiment._meta,
        "original": experiment,
        "experiment": experiment,
        "report": report,
        "period": (
            f"{show.minute(report['started_at'])} to {show.minute(report['until'])} UTC ({report['days']:.1f} days)"
            if report["started_at"]
            else ""
        ),
        "as_of": show.minute(report["computed_at"]),
        "kind": show.KIND_LABELS.get(report["kind"], report["kind"]),
        "status": show.STATUS_LABELS.get(report["status"], report["status"]),
        "srm_text": show.srm_text(report["srm"]) if report["srm"] else "",
        "preference_text": show.preference_text(report["interleaving"]) if report["interleaving"] else "",
        "variants": [
            v | {"share": show.percent(v["expected_share"]), "exposed_text": f"{v['exposed']:,}"}
            for v in report["variants"]
        ],
        "comparisons": [_comparison(read) for read in report["comparisons"]],
        "guardrails": [g | {"text": show.guardrail_text(g)} for g in report["guardrails"]],
        "series": series,
        "series_rows": _timeline_rows(series),
        "chart_data": _chart_data(report, series),
        "chart_library": chart_library_url(),
    }
    return TemplateResponse(request, "admin/experiments/experiment/results.html", context)


class ResultsAdminMixin(admin.ModelAdmin):
    """The results page's URL (``admin:experiments_experiment_results``) and the list's link to it
    (the change form's is in ``templates/admin/experiments/experiment/change_form.html``)."""

    def get_urls(self) -> list[Any]:
        page = self.admin_site.admin_view(lambda request, object_id: results_page(self, request, object_id))
        return [path("<int:object_id>/results/", page, name=URL_NAME), *super().get_urls()]

    @admin.display(description="results")
    def results_link(self, obj: Experiment) -> str:
        if obj.started_at is None:
            return show.DASH
        return format_html('<a href="{}">Results</a>', results_url(obj))
