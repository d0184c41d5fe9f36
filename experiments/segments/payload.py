"""A kind's segments as JSON-safe data: what the admin page's charts draw and its tables show."""

from __future__ import annotations

from typing import Any

from experiments.segments import rfm
from experiments.segments.models import SegmentKind
from experiments.segments.selectors import KindOverview

# The profile chart draws the categories that are among some cluster's top ones, the rest as "Other".
PROFILE_TOP = 4


def _segment_rows(overview: KindOverview) -> list[dict[str, Any]]:
    rows = []
    for segment in overview.segments:
        figures = segment.figures or {}
        row: dict[str, Any] = {
            "key": segment.key,
            "name": segment.name,
            "size": segment.size,
            "share": figures.get("share", 0.0),
        }
        if overview.kind == SegmentKind.RFM:
            group = rfm.BY_KEY.get(segment.key)
            row |= {
                "rule": group.rule if group else "",
                "recency_days": figures.get("recency_days"),
                "active_days": figures.get("active_days"),
                "orders": figures.get("orders"),
                "spend": figures.get("spend"),
                "product_engaged": figures.get("product_engaged"),
            }
        else:
            row |= {
                "top": figures.get("top", []),
                "engagements": figures.get("engagements"),
                "bought": figures.get("bought"),
            }
        rows.append(row)
    return rows


def _profiles(summary: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """The clusters' mean profiles over the categories that matter to some cluster, and "Other"."""
    categories: list[str] = summary.get("categories", [])
    profiles: dict[str, list[float]] = summary.get("profiles", {})
    shown: set[int] = set()
    for values in profiles.values():
        order = sorted(range(len(values)), key=lambda c: -values[c])[:PROFILE_TOP]
        shown |= {c for c in order if values[c] > 0}
    columns = sorted(shown, key=lambda c: -sum(values[c] for values in profiles.values()))
    rows = {}
    for key in keys:
        if key not in profiles:
            continue
        picked = [round(profiles[key][c], 4) for c in columns]
        rows[key] = [*picked, round(max(0.0, 1.0 - sum(picked)), 4)]
    return {"categories": [*(categories[c] for c in columns), "Other"], "rows": rows}


def kind_payload(overview: KindOverview) -> dict[str, Any]:
    run = overview.run
    summary: dict[str, Any] = run.summary if run is not None else {}
    segments = _segment_rows(overview)
    payload: dict[str, Any] = {
        "kind": overview.kind.value,
        "segments": segments,
        "tests": summary.get("tests", []),
        "pairs": summary.get("pairs", []),
    }
    if overview.kind == SegmentKind.BEHAVIOUR:
        payload["silhouettes"] = summary.get("silhouettes", {})
        payload["k"] = summary.get("k")
        payload["profiles"] = _profiles(summary, [row["key"] for row in segments])
    return payload


def pairs_alike(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pairs of segments whose figure the Holm-adjusted Welch test could not tell apart."""
    return [pair for pair in pairs if not pair.get("differ", True)]
