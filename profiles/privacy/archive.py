"""Retention: interactions are archived to object storage by UTC hour, then purged from the database.

    archive/interactions/YYYY/MM/DD/HH.jsonl.gz    gzip, one JSON object per line (``ARCHIVE_FIELDS``)

``interactions_archive`` writes every interaction of a finished hour that is not in its file yet,
``interactions_purge`` deletes from the database only rows found in their hour's file, and the
Celery task ``profiles.archive.archive_and_purge`` (``profiles/tasks.py``, hourly) runs both.

Each archived hour is an ``ArchivedHour`` row, with one ``ArchivedShopperHour`` row per shopper in
it, so that a shopper's export or erasure opens only the files that hold them
(``archive_rows_for_shoppers``, ``archive_erase_shoppers``).

Never losing a row: a file is replaced by saving the new version first (under the canonical name,
or a sibling the storage picks while that name is taken), then pointing ``ArchivedHour.path`` at
it, then deleting the old version. Purge re-reads the file and deletes only the rows it finds there.
Writers of archive files (archive, purge, erasure) take one lock each hour they change: a
PostgreSQL advisory transaction lock, or SQLite's write lock, which every transaction of the
embedded default takes at BEGIN (``transaction_mode=IMMEDIATE``).
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import TruncHour
from django.utils import timezone

from feedsite.storage import private_storage
from profiles.events.models import Interaction
from profiles.events.schema import MAX_AGE
from profiles.privacy.models import ArchivedHour, ArchivedShopperHour

ARCHIVE_ROOT = "archive/interactions"
ARCHIVE_FIELDS = (
    "event_id",
    "shopper_id",
    "content_id",
    "product_id",
    "type",
    "occurred_at",
    "received_at",
    "session_id",
    "request_id",
    "position",
    "dwell_ms",
    "value",
    "context",
)
HOUR = timedelta(hours=1)
# Clients may send events up to MAX_AGE old; hours older than that are finished, so their file is
# written once. A later row (a dataset import of old events) is merged into the file.
ARCHIVE_DELAY = MAX_AGE + HOUR
# Rows read from the database per round trip: ~2,000 × 400 bytes, under 1 MB at a time.
READ_CHUNK = 2000
# A compressed hour up to this size is built in memory, a bigger one in a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024
_LOCK_ID = zlib.crc32(b"profiles.archive")


@dataclass
class ArchiveReport:
    hours: int = 0  # hour files written (new or merged)
    rows: int = 0  # rows added to files
    paths: list[str] = field(default_factory=list)


@dataclass
class PurgeReport:
    hours: int = 0  # hours whose archived rows are now all gone from the database
    rows: int = 0  # rows deleted
    kept: int = 0  # rows of archived hours not in their file yet, left for the next archive run


def hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hour_path(hour: datetime) -> str:
    return f"{ARCHIVE_ROOT}/{hour:%Y/%m/%d/%H}.jsonl.gz"


def _lock() -> None:
    """Serialise archive writers for the rest of the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def archive_row(values: dict[str, Any]) -> dict[str, Any]:
    """An interaction's values as one archive line (times as ISO-8601 UTC)."""
    row = {name: values[name] for name in ARCHIVE_FIELDS}
    row["occurred_at"] = values["occurred_at"].astimezone(UTC).isoformat()
    row["received_at"] = values["received_at"].astimezone(UTC).isoformat()
    return row


def archive_file_rows(path: str) -> Iterator[dict[str, Any]]:
    """The rows of one archive file, in file order."""
    with private_storage().open(path, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


class _HourFile:
    """A new version of an hour's file, built row by row; a repeated event id is written once.

    A context manager: the temporary buffer is closed on leaving it, stored or not.
    """

    def __init__(self) -> None:
        self.buffer: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (__exit__)
        self._gzip = gzip.GzipFile(fileobj=self.buffer, mode="wb", mtime=0)
        self._lines = io.TextIOWrapper(self._gzip, encoding="utf-8")
        self.event_ids: set[str] = set()
        self.per_shopper: Counter[int] = Counter()

    def add(self, row: dict[str, Any]) -> bool:
        if row["event_id"] in self.event_ids:
            return False
        self.event_ids.add(row["event_id"])
        self.per_shopper[row["shopper_id"]] += 1
        self._lines.write(json.dumps(row, cls=DjangoJSONEncoder, separators=(",", ":")) + "\n")
        return True

    def __enter__(self) -> _HourFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.buffer.close()

    def finish(self) -> IO[bytes]:
        self._lines.flush()
        self._lines.detach()
        self._gzip.close()
        self.buffer.seek(0)
        return self.buffer


def _hour_rows(hour: datetime) -> Iterator[dict[str, Any]]:
    """The database's rows of ``hour`` in time order."""
    rows = (
        Interaction.objects.filter(occurred_at__gte=hour, occurred_at__lt=hour + HOUR)
        .order_by("occurred_at", "event_id")
        .values(*ARCHIVE_FIELDS)
    )
    return rows.iterator(chunk_size=READ_CHUNK)


def _sweep(hour: datetime, *, keep: str | None) -> None:
    """Delete the hour's files other than ``keep``: what an interrupted write left behind.

    Called holding the lock, when ``keep`` is the only version any record points at. Such a
    leftover is safe to drop: it is an older version (its rows are in ``keep``), or a new one never
    recorded (its new rows are still in the database), or a version an erasure had replaced.
    """
    directory, _, name = hour_path(hour).rpartition("/")
    # "10.jsonl.gz" and the names a storage picks while it is taken: "10_AbC12xY.jsonl.gz".
    versions = re.compile(rf"{re.escape(name[:2])}[._].*\.gz")
    try:
        _, files = private_storage().listdir(directory)
    except FileNotFoundError:
        return
    for file_name in files:
        path = f"{directory}/{file_name}"
        if versions.fullmatch(file_name) and path != keep:
            private_storage().delete(path)


def _hour_save(
    hour: datetime, record: ArchivedHour | None, new: _HourFile, *, covered_until: datetime, keep_purged: bool
) -> ArchivedHour | None:
    """Store ``new`` as the hour's file and index it (inside the caller's locked transaction).

    An hour left with no rows loses its file and its record. The old version is deleted only once
    the transaction pointing at the new one has committed: a failure at any point leaves the
    recorded file complete.
    """
    old_path = record.path if record is not None else None
    rows = len(new.event_ids)
    path = ""
    if rows:
        path = private_storage().save(hour_path(hour), File(new.finish(), name=hour_path(hour)))
    try:
        if not rows:
            if record is not None:
                record.delete()
            record = None
        elif record is None:
            record = ArchivedHour.objects.create(hour=hour, rows=rows, path=path, covered_until=covered_until)
        else:
            record.rows, record.path, record.covered_until = rows, path, covered_until
            record.purged_at = record.purged_at if keep_purged else None
            record.save(update_fields=["rows", "path", "covered_until", "purged_at", "updated_at"])
            ArchivedShopperHour.objects.filter(archived_hour=record).delete()
        if record is not None:
            ArchivedShopperHour.objects.bulk_create(
                [
                    ArchivedShopperHour(archived_hour=record, shopper_id=shopper_id, rows=count)
                    for shopper_id, count in new.per_shopper.items()
                ],
                batch_size=READ_CHUNK,
            )
    except BaseException:
        if path:
            private_storage().delete(path)
        raise
    if old_path and old_path != path:
        # Robust: a failed delete leaves a leftover that the hour's next write sweeps away.
        transaction.on_commit(lambda: private_storage().delete(old_path), robust=True)
    return record


def _hour_archive(hour: datetime) -> int:
    """Merge the database's rows of ``hour`` into its file; returns how many rows were new there."""
    with transaction.atomic():
        _lock()
        record = ArchivedHour.objects.filter(hour=hour).first()
        _sweep(hour, keep=record.path if record is not None else None)
        with _HourFile() as new:
            if record is not None:
                for row in archive_file_rows(record.path):
                    new.add(row)
            kept = len(new.event_ids)
            covered_until = record.covered_until if record is not None else datetime.min.replace(tzinfo=UTC)
            for values in _hour_rows(hour):
                new.add(archive_row(values))
                covered_until = max(covered_until, values["received_at"])
            added = len(new.event_ids) - kept
            if added:
                _hour_save(hour, record, new, covered_until=covered_until, keep_purged=False)
        if not added and record is not None:
            record.covered_until = covered_until
            record.save(update_fields=["covered_until", "updated_at"])
        return added


def hours_to_archive(*, before: datetime) -> list[datetime]:
    """Finished hours before ``before`` whose database rows are not all in their file yet.

    One aggregate over the rows still in the database (the retention window): an hour needs work
    when it has no file, or when it has rows received after its file's ``covered_until``.
    """
    covered = dict(ArchivedHour.objects.values_list("hour", "covered_until"))
    stats = (
        Interaction.objects.filter(occurred_at__lt=hour_floor(before))
        .annotate(hour=TruncHour("occurred_at", tzinfo=UTC))
        .order_by()
        .values("hour")
        .annotate(last=Max("received_at"))
    )
    return sorted(s["hour"] for s in stats if s["hour"] not in covered or s["last"] > covered[s["hour"]])


def interactions_archive(*, before: datetime) -> ArchiveReport:
    """Archive every interaction of the whole UTC hours before ``before`` that is not archived yet.

    An hour's rows go to ``hour_path(hour)``; when the hour has a file already, the new rows are
    merged into it (no row lost, no event id twice). Safe to run twice and concurrently.
    """
    report = ArchiveReport()
    for hour in hours_to_archive(before=before):
        added = _hour_archive(hour)
        if added:
            report.hours += 1
            report.rows += added
            report.paths.append(hour_path(hour))
    return report


def interactions_purge(*, older_than: datetime) -> PurgeReport:
    """Delete from the database the rows of archived whole hours before ``older_than``.

    Only rows found in their hour's file are deleted: a row of an hour without a file, or a row
    not in the file yet, stays (and the hour is marked so that the next archive run merges it).
    """
    report = PurgeReport()
    candidates = ArchivedHour.objects.filter(hour__lt=hour_floor(older_than), purged_at__isnull=True)
    for hour in list(candidates.values_list("hour", flat=True)):
        with transaction.atomic():
            _lock()
            record = ArchivedHour.objects.filter(hour=hour).first()
            if record is None:
                continue
            archived = {row["event_id"] for row in archive_file_rows(record.path)}
            rows = Interaction.objects.filter(occurred_at__gte=hour, occurred_at__lt=hour + HOUR)
            doomed: list[int] = []
            missing: list[datetime] = []
            for pk, event_id, received_at in rows.values_list("pk", "event_id", "received_at").iterator(
                chunk_size=READ_CHUNK
            ):
                if event_id in archived:
                    doomed.append(pk)
                else:
                    missing.append(received_at)
            for start in range(0, len(doomed), READ_CHUNK):
                Interaction.objects.filter(pk__in=doomed[start : start + READ_CHUNK]).delete()
            report.rows += len(doomed)
            report.kept += len(missing)
            if missing:
                record.covered_until = min(record.covered_until, min(missing) - timedelta(microseconds=1))
            else:
                record.purged_at = timezone.now()
                report.hours += 1
            record.save(update_fields=["covered_until", "purged_at", "updated_at"])
    return report


def retention_run(*, now: datetime | None = None) -> tuple[ArchiveReport, PurgeReport]:
    """The hourly task's work: archive the hours finished ``ARCHIVE_DELAY`` ago, then purge the
    archived rows older than ``EVENT_RETENTION_DAYS``. Safe to run twice or concurrently."""
    now = now or timezone.now()
    archived = interactions_archive(before=now - ARCHIVE_DELAY)
    purged = interactions_purge(older_than=now - timedelta(days=settings.EVENT_RETENTION_DAYS))
    return archived, purged


def _archived_hours_of(shopper_ids: Collection[int]) -> list[datetime]:
    return list(
        ArchivedHour.objects.filter(shoppers__shopper_id__in=shopper_ids)
        .order_by("hour")
        .values_list("hour", flat=True)
        .distinct()
    )


def archive_rows_for_shoppers(*, shopper_ids: Collection[int]) -> list[dict[str, Any]]:
    """Every archived row of these shoppers, oldest hour first (reads only the files holding them)."""
    ids = set(shopper_ids)
    found: list[dict[str, Any]] = []
    for record in ArchivedHour.objects.filter(hour__in=_archived_hours_of(ids)).order_by("hour"):
        found.extend(row for row in archive_file_rows(record.path) if row["shopper_id"] in ids)
    return found


def archive_erase_shoppers(*, shopper_ids: Collection[int]) -> int:
    """Rewrite every archive file holding these shoppers without their rows; returns rows removed.

    Idempotent: once erased, the index has no hour for them and nothing is read.
    """
    ids = set(shopper_ids)
    removed = 0
    for hour in _archived_hours_of(ids):
        removed += _hour_rewrite(hour, keep=lambda row: row["shopper_id"] not in ids)
    return removed


def _hour_rewrite(hour: datetime, *, keep: Callable[[dict[str, Any]], bool]) -> int:
    """Write the hour's file again with only the rows ``keep`` accepts; returns rows dropped."""
    with transaction.atomic():
        _lock()
        record = ArchivedHour.objects.filter(hour=hour).first()
        if record is None:
            return 0
        _sweep(hour, keep=record.path)
        dropped = 0
        with _HourFile() as new:
            for row in archive_file_rows(record.path):
                if keep(row):
                    new.add(row)
                else:
                    dropped += 1
            if dropped:
                _hour_save(hour, record, new, covered_until=record.covered_until, keep_purged=True)
        return dropped
