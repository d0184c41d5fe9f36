"""Celery tasks of segments: each named explicitly, safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import OperationalError

from experiments.segments.services import segments_recompute


# A dropped database connection or a lock wait cut short is worth another try; each attempt
# stores a kind in one transaction, so a failed one leaves nothing half done.
@shared_task(name="segments.recompute", autoretry_for=(OperationalError,), max_retries=2, retry_backoff=60)
def recompute(kinds: list[str] | None = None) -> dict[str, Any]:
    """Nightly (beat) and on demand (the admin's "Recompute now"): both kinds by default.

    Running it twice recomputes twice: the second run replaces the first's members with the same.
    """
    runs = segments_recompute(kinds=kinds)
    return {run.kind: {"run": run.pk, "shoppers": run.shoppers} for run in runs}
