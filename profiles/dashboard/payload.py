"""A creator's figures as JSON-safe data: the stats API's answer, and the data the page's charts draw."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from profiles.events.creator_stats import CreatorStats, DailySeries, Figures


def figures_payload(figures: Figures) -> dict[str, Any]:
    """The counts, and watch-through as a fraction from 0 to 1 (None without a timed video view)."""
    watch_through = figures.watch_through
    return {**asdict(figures), "watch_through": None if watch_through is None else round(watch_through, 4)}


def series_payload(series: DailySeries) -> dict[str, list[Any]]:
    """The daily series: what the page's charts draw."""
    return {**asdict(series), "dates": [day.isoformat() for day in series.dates]}


def stats_payload(stats: CreatorStats) -> dict[str, Any]:
    return {
        "days": stats.days,
        "since": stats.since.isoformat(),
        "until": stats.until.isoformat(),
        "followers": stats.followers,
        "totals": figures_payload(stats.totals),
        "items": [
            {
                "id": item.id,
                "kind": item.kind,
                "caption": item.caption,
                "status": item.status,
                "reason": item.reason,
                "created_at": item.created_at.isoformat(),
                "published_at": item.published_at.isoformat() if item.published_at else None,
                **figures_payload(item.figures),
            }
            for item in stats.items
        ],
        "series": series_payload(stats.series),
    }
