"""Exposure: the first page a variant shaped for a shopper, and sticky variants across sign-in."""

from __future__ import annotations

import threading
import time

from django.db import transaction
from django.utils import timezone

from experiments.assignment import labels_of, running_plan
from experiments.models import Exposure, StickyUnit
from feedsite import caches
from profiles.models import Shopper
from ranking.treatment import ASSIGNMENT_CACHE_SECONDS, Treatment

# (shopper, label) pairs this process has recorded: a page after the first writes nothing.
SEEN_MAX = 200_000

_lock = threading.Lock()
_seen: set[tuple[int, str]] = set()
_labels: dict[str, object] = {"at": -1e18, "map": {}}


def clear_cache() -> None:
    with _lock:
        _seen.clear()
        _labels.update(at=-1e18, map={})


caches.register("experiments.exposure", clear_cache)


def _label_ids() -> dict[str, tuple[int, int, int]]:
    now = time.monotonic()
    with _lock:
        if now - float(_labels["at"]) < ASSIGNMENT_CACHE_SECONDS:  # type: ignore[arg-type]
            return _labels["map"]  # type: ignore[return-value]
    found = labels_of(running_plan())
    with _lock:
        _labels.update(at=now, map=found)
    return found


def exposure_record(*, shopper: Shopper, treatment: Treatment, ranked: bool, **_: object) -> int:
    """``ranking.signals.page_served``: the shopper's first page under each variant the ranking
    applied (``ranked``: not the popular/fresh fallback, which no variant shapes) is their
    exposure; returns how many exposures were new to this process."""
    if not ranked or shopper.pk is None:
        return 0
    with _lock:
        new = [label for label in treatment.labels if (shopper.pk, label) not in _seen]
    if not new:
        return 0
    ids = _label_ids()
    now = timezone.now()
    rows = [
        Exposure(experiment_id=e, variant_id=v, shopper_id=shopper.pk, first_at=now, rollout_step=step)
        for e, v, step in (ids[label] for label in new if label in ids)
    ]
    Exposure.objects.bulk_create(rows, ignore_conflicts=True)
    with _lock:
        if len(_seen) > SEEN_MAX:
            _seen.clear()
        _seen.update((shopper.pk, label) for label in new)
    return len(rows)


@transaction.atomic
def exposures_merge(*, source: Shopper, target: Shopper, **_: object) -> int:
    """``profiles.signals.shopper_merged``: a visitor who signs in keeps, in each experiment they
    were exposed to and the account was not, the visitor's variant: the account is assigned as the
    visitor's unit from now on and the exposure moves to it. Returns how many moved."""
    theirs = Exposure.objects.filter(shopper=source)
    have = set(Exposure.objects.filter(shopper=target).values_list("experiment_id", flat=True))
    moving = [e for e in theirs if e.experiment_id not in have]
    units = dict(StickyUnit.objects.filter(shopper=source).values_list("experiment_id", "unit"))
    StickyUnit.objects.bulk_create(
        [
            StickyUnit(experiment_id=e.experiment_id, shopper=target, unit=units.get(e.experiment_id, source.pk))
            for e in moving
        ],
        ignore_conflicts=True,
    )
    Exposure.objects.filter(pk__in=[e.pk for e in moving]).update(shopper=target)
    return len(moving)
