"""Celery tasks of the ranking app: each named explicitly, safe to run twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings

from ranking import precompute
from ranking.registry import active_ranker
from ranking.training import ranker_train


@shared_task(name="ranking.precompute_feeds")
def precompute_feeds() -> dict[str, Any]:
    """Every ``FEED_PRECOMPUTE_MINUTES`` (beat): candidate lists of recently active shoppers."""
    ranker = active_ranker()
    if ranker is None:
        return {"shoppers": 0, "version": None}
    shoppers = precompute.recently_active(within=timedelta(minutes=settings.FEED_PRECOMPUTE_ACTIVE_MINUTES))
    return {"shoppers": precompute.precompute(ranker, shoppers), "version": ranker.version}


@shared_task(name="ranking.retrain")
def retrain() -> dict[str, Any]:
    """Nightly (beat): train on everything stored; the registry activates it only if not worse offline."""
    model = ranker_train(activate="if_better")
    return {"version": model.version, "status": model.status, "metrics": model.metrics}
