"""The dashboard as CSV: one row per item with every figure of the period."""

from __future__ import annotations

import csv
import io

from profiles.events.creator_stats import CreatorStats

COLUMNS = (
    "item",
    "kind",
    "caption",
    "status",
    "reason",
    "created_at",
    "published_at",
    "impressions",
    "views",
    "timed_video_views",
    "watched_through",
    "watch_through_percent",
    "likes",
    "shares",
    "product_clicks",
    "carts",
    "purchases",
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """Text as a spreadsheet shows it and never runs: a leading formula character is quoted with '."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def stats_csv(stats: CreatorStats) -> str:
    out = io.StringIO()
    rows = csv.writer(out, lineterminator="\r\n")
    rows.writerow(COLUMNS)
    for item in stats.items:
        figures = item.figures
        watch_through = figures.watch_through
        rows.writerow(
            [
                item.id,
                item.kind,
                cell(item.caption),
                item.status,
                cell(item.reason),
                item.created_at.isoformat(),
                item.published_at.isoformat() if item.published_at else "",
                figures.impressions,
                figures.views,
                figures.timed_views,
                figures.watched_through,
                "" if watch_through is None else f"{watch_through * 100:.1f}",
                figures.likes,
                figures.shares,
                figures.product_clicks,
                figures.carts,
                figures.purchases,
            ]
        )
    return out.getvalue()
