"""Celery tasks of the KPI rollup: each named explicitly, calling one service, safe twice."""

from __future__ import annotations

from celery import shared_task

from experiments.kpis.services import kpi_recent_refresh


@shared_task(name="experiments.kpis.rollup_recent")
def rollup_recent() -> dict[str, object]:
    """Every 15 minutes (CELERY_BEAT_SCHEDULE): today counted again, and every day the dashboard can
    show that is missing or not settled (yesterday until two hours past midnight). No retry of its
    own: a run that fails stored nothing, and the next run counts the same days."""
    days = kpi_recent_refresh()
    return {"days": len(days), "first": days[0].isoformat() if days else None}
