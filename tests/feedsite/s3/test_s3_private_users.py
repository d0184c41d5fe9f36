"""The apps' private files on S3: ranker artifacts and the event archive (tests/feedsite/s3/conftest.py)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import lightgbm
import numpy as np
import pytest
from django.core.files.storage import storages

from profiles.privacy import archive
from profiles.privacy.models import ArchivedHour
from ranking import registry
from tests.factories import InteractionFactory

pytestmark = pytest.mark.django_db

H1 = datetime(2026, 3, 4, 10, tzinfo=UTC)


def test_a_ranker_artifact_is_stored_privately_and_served_from_s3(s3_storages):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(200, 3))
    booster = lightgbm.train(
        {"objective": "binary", "verbose": -1, "num_threads": 1}, lightgbm.Dataset(x, (x[:, 0] > 0).astype(int)), 5
    )

    row = registry.ranker_register(
        version="s3-v1",
        booster=booster,
        features=["a", "b", "c"],
        extra={"note": "on s3"},
        metrics={"ndcg@20": 0.1},
        params={},
        examples=200,
        training_seconds=0.1,
    )
    registry.clear_cache()
    ranker = registry.active_ranker()

    assert s3_storages.keys(s3_storages.private_bucket) == [f"private/{row.artifact.name}"]
    assert s3_storages.keys(s3_storages.public_bucket) == []
    assert ranker is not None
    assert (ranker.version, ranker.features, ranker.extra) == ("s3-v1", ["a", "b", "c"], {"note": "on s3"})
    assert np.allclose(ranker.booster.predict(x[:5]), booster.predict(x[:5]))


def test_the_event_archive_writes_merges_and_sweeps_its_hour_files_on_s3(
    s3_storages, django_capture_on_commit_callbacks
):
    InteractionFactory(event_id="early-1", occurred_at=H1 + timedelta(minutes=10))
    archive.interactions_archive(before=H1 + timedelta(hours=1))
    InteractionFactory(event_id="late-1", occurred_at=H1 + timedelta(minutes=20))

    with django_capture_on_commit_callbacks(execute=True):  # the replaced file goes once the new one is recorded
        report = archive.interactions_archive(before=H1 + timedelta(hours=1))

    path = ArchivedHour.objects.get(hour=H1).path
    with storages["private"].open(path, "rb") as raw, gzip.GzipFile(fileobj=raw) as lines:
        event_ids = [json.loads(line)["event_id"] for line in lines]
    assert report.rows == 1
    assert event_ids == ["early-1", "late-1"]
    # The merged file replaced the first one: one object for the hour, in the private bucket only.
    assert s3_storages.keys(s3_storages.private_bucket) == [f"private/{path}"]
    assert s3_storages.keys(s3_storages.public_bucket) == []
