"""The dashboard's HTML page and its CSV export: an approved creator's own figures, nobody else's."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.text import Truncator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from content.models import Creator
from feedsite.errors import ApplicationError, Forbidden
from profiles.dashboard.access import DEFAULT_DAYS, dashboard_creator, period_days
from profiles.dashboard.export import stats_csv
from profiles.dashboard.payload import series_payload
from profiles.events.creator_stats import (
    PERIODS,
    VIEW_MIN_DWELL_MS,
    WATCHED_THROUGH,
    CreatorStats,
    Figures,
    creator_stats,
)

# Copied by `make vendor` from package.json's Chart.js; the page draws no chart without it.
CHART_LIBRARY = "vendor/chart.umd.min.js"


def chart_library_url() -> str | None:
    """The chart library's static URL, or None where it was not installed (no npm)."""
    if finders.find(CHART_LIBRARY) is None:
        return None
    try:
        return static(CHART_LIBRARY)
    except ValueError:  # the manifest of a collectstatic run before it was installed
        return None


def _creator(request: HttpRequest) -> Creator:
    try:
        return dashboard_creator(request.user)
    except Forbidden as error:
        raise PermissionDenied(error.message) from error


def _percent(fraction: float | None) -> str:
    return "–" if fraction is None else f"{fraction * 100:.0f} %"


def _cells(figures: Figures) -> list[str]:
    """A post's (or the total's) figures in the table's column order, as text (a template localizes
    each number it is given, at a cost that showed on a page of hundreds of posts)."""
    return [
        str(figures.impressions),
        str(figures.views),
        _percent(figures.watch_through),
        str(figures.likes),
        str(figures.shares),
        str(figures.product_clicks),
        str(figures.carts),
        str(figures.purchases),
    ]


def _post_rows(stats: CreatorStats) -> list[dict[str, Any]]:
    """The posts table, formatted here: lookups and filters per cell were the template's slowest part."""
    return [
        {
            "id": item.id,
            "caption": Truncator(item.caption or "(no caption)").chars(60),
            "meta": f"{item.kind} · {item.created_at:%-d %b %Y}",
            "status": item.status,
            "status_label": item.status_label,
            "reason": item.reason,
            "cells": _cells(item.figures),
        }
        for item in stats.items
    ]


def _daily_rows(stats: CreatorStats) -> list[dict[str, Any]]:
    """The daily table, newest day first."""
    series = stats.series
    columns = zip(
        series.impressions,
        series.views,
        series.carts,
        series.purchases,
        series.followers_gained,
        series.followers_lost,
        series.followers,
        strict=True,
    )
    return [
        {"iso": day.isoformat(), "label": f"{day:%a %-d %b}", "cells": [str(n) for n in cells]}
        for day, cells in reversed(list(zip(series.dates, columns, strict=True)))
    ]


def _context(creator: Creator, stats: CreatorStats, *, error: str = "") -> dict[str, Any]:
    series = stats.series
    return {
        "creator": creator,
        "stats": stats,
        "error": error,
        "periods": PERIODS if stats.days in PERIODS else sorted({*PERIODS, stats.days}),
        "items": _post_rows(stats),
        "totals": _cells(stats.totals),
        "watch_through": _percent(stats.totals.watch_through),
        "gained": sum(series.followers_gained),
        "lost": sum(series.followers_lost),
        "daily": _daily_rows(stats),
        # What the charts draw: the daily series (the posts are in the tables only).
        "payload": {"series": series_payload(stats.series)},
        "chart_library": chart_library_url(),
        "view_seconds": VIEW_MIN_DWELL_MS // 1000,
        "through_percent": round(WATCHED_THROUGH * 100),
    }


@never_cache
@require_GET
@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """``/studio/dashboard?days=N``: tables of the figures, and charts drawn from the same data."""
    creator = _creator(request)
    try:
        days, error, status = period_days(request.GET.get("days")), "", 200
    except ApplicationError as refused:
        days, error, status = DEFAULT_DAYS, refused.message, 400
    stats = creator_stats(creator=creator, days=days)
    return render(request, "studio/dashboard.html", _context(creator, stats, error=error), status=status)


@never_cache
@require_GET
@login_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """``/studio/dashboard.csv?days=N``: one row per item (``profiles.dashboard.export``)."""
    creator = _creator(request)
    try:
        days = period_days(request.GET.get("days"))
    except ApplicationError as refused:
        return HttpResponse(refused.message, status=400, content_type="text/plain; charset=utf-8")
    stats = creator_stats(creator=creator, days=days)
    response = HttpResponse(stats_csv(stats), content_type="text/csv; charset=utf-8")
    filename = f"feedsite-{creator.handle}-{stats.since.isoformat()}-{stats.until.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
