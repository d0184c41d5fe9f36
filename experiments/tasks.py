"""Celery tasks of the experiments app: each named explicitly, safe to run twice."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task

from experiments.monitor import experiments_check


@shared_task(name="experiments.check")
def check() -> list[dict[str, Any]]:
    """Every ``EXPERIMENTS_CHECK_MINUTES`` (beat): results recorded, guardrails enforced, rollouts ramped."""
    return [asdict(checked) for checked in experiments_check()]
