"""Celery tasks of segments: each named explicitly, safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from experiments.segments.services import segments_recompute


@shared_task(name="segments.recompute")
def recompute(kinds: list[str] | None = None) -> dict[str, Any]:
    """Nightly (beat) and on demand (the admin's "Recompute now"): both kinds by default.

    Running it twice recomputes twice: the second run replaces the first's members with the same.
    """
    runs = segments_recompute(kinds=kinds)
    return {run.kind: {"run": run.pk, "shoppers": run.shoppers} for run in runs}
