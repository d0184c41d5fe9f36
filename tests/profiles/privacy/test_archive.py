import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from feedsite import env
from profiles.events.models import Interaction
from profiles.privacy import archive
from profiles.privacy.models import ArchivedHour, ArchivedShopperHour
from profiles.privacy.tasks import archive_and_purge
from tests.factories import InteractionFactory, ProductFactory, ShopperFactory

pytestmark = pytest.mark.django_db

H1 = datetime(2026, 3, 4, 10, tzinfo=UTC)
H2 = H1 + timedelta(hours=1)
H3 = H1 + timedelta(hours=2)


def file_rows(root, path):
    with gzip.open(root / path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def file_event_ids(root, hour):
    return [row["event_id"] for row in file_rows(root, ArchivedHour.objects.get(hour=hour).path)]


def hour_files(root, hour):
    directory = root / archive.hour_path(hour).rpartition("/")[0]
    return sorted(p.name for p in directory.iterdir() if p.name[:3] in (f"{hour:%H}.", f"{hour:%H}_"))


def at(hour, minutes):
    return hour + timedelta(minutes=minutes)


def test_an_archived_row_holds_every_field_of_the_interaction(archive_storage):
    product = ProductFactory()
    row = InteractionFactory(
        event_id="evt-full-row",
        type="add_to_cart",
        product=product,
        occurred_at=at(H1, 12.5),
        session_id="sess-1",
        request_id="req-1",
        position=4,
        dwell_ms=1500,
        value=2.0,
        context={"device": "mobile", "viewport": [390, 844]},
    )

    archive.interactions_archive(before=H2)

    assert file_rows(archive_storage, "archive/interactions/2026/03/04/10.jsonl.gz") == [
        {
            "event_id": "evt-full-row",
            "shopper_id": row.shopper_id,
            "content_id": row.content_id,
            "product_id": product.pk,
            "type": "add_to_cart",
            "occurred_at": "2026-03-04T10:12:30+00:00",
            "received_at": row.received_at.astimezone(UTC).isoformat(),
            "session_id": "sess-1",
            "request_id": "req-1",
            "position": 4,
            "dwell_ms": 1500,
            "value": 2.0,
            "context": {"device": "mobile", "viewport": [390, 844]},
        }
    ]


@pytest.mark.parametrize(
    ("before", "archived_hours"),
    [
        (H2, [H1]),
        (at(H2, 59), [H1]),  # H2 is not over at `before`: whole hours only
        (H3, [H1, H2]),
    ],
)
def test_archive_writes_the_rows_of_each_whole_hour_before_the_cutoff(archive_storage, before, archived_hours):
    alice, bob = ShopperFactory(), ShopperFactory()
    InteractionFactory(event_id="h1-b", shopper=bob, occurred_at=at(H1, 40))
    InteractionFactory(event_id="h1-a", shopper=alice, occurred_at=at(H1, 5))
    InteractionFactory(event_id="h1-c", shopper=alice, occurred_at=at(H1, 59))
    InteractionFactory(event_id="h2-a", shopper=alice, occurred_at=at(H2, 30))
    InteractionFactory(event_id="h3-a", shopper=alice, occurred_at=at(H3, 1))

    report = archive.interactions_archive(before=before)

    expected = {H1: ["h1-a", "h1-b", "h1-c"], H2: ["h2-a"]}
    assert [record.hour for record in ArchivedHour.objects.all()] == archived_hours
    for hour in archived_hours:
        assert file_event_ids(archive_storage, hour) == expected[hour]
        assert ArchivedHour.objects.get(hour=hour).rows == len(expected[hour])
    assert report.hours == len(archived_hours)
    assert report.rows == sum(len(expected[hour]) for hour in archived_hours)
    assert report.paths == [archive.hour_path(hour) for hour in archived_hours]
    assert set(ArchivedShopperHour.objects.filter(archived_hour__hour=H1).values_list("shopper_id", "rows")) == {
        (alice.pk, 2),
        (bob.pk, 1),
    }
    assert Interaction.objects.count() == 5  # archiving deletes nothing


def test_archiving_twice_writes_nothing_the_second_time(archive_storage):
    InteractionFactory.create_batch(3, occurred_at=at(H1, 10))
    archive.interactions_archive(before=H2)
    before = (archive_storage / archive.hour_path(H1)).read_bytes()

    report = archive.interactions_archive(before=H2)

    assert (report.hours, report.rows) == (0, 0)
    assert (archive_storage / archive.hour_path(H1)).read_bytes() == before
    assert hour_files(archive_storage, H1) == ["10.jsonl.gz"]


def test_a_late_row_is_merged_into_its_hours_file_once(archive_storage, django_capture_on_commit_callbacks):
    InteractionFactory(event_id="early-1", occurred_at=at(H1, 10))
    InteractionFactory(event_id="early-2", occurred_at=at(H1, 20))
    archive.interactions_archive(before=H2)
    InteractionFactory(event_id="late-1", occurred_at=at(H1, 15))

    with django_capture_on_commit_callbacks(execute=True):
        first = archive.interactions_archive(before=H2)
        second = archive.interactions_archive(before=H2)

    assert (first.rows, second.rows) == (1, 0)
    assert file_event_ids(archive_storage, H1) == ["early-1", "early-2", "late-1"]
    assert ArchivedHour.objects.get(hour=H1).rows == 3
    # The old version is gone once the new one is recorded.
    assert len(hour_files(archive_storage, H1)) == 1


def test_a_late_row_of_a_purged_hour_is_merged_without_losing_the_archived_rows(
    archive_storage, django_capture_on_commit_callbacks
):
    InteractionFactory(event_id="kept-1", occurred_at=at(H1, 10))
    archive.interactions_archive(before=H2)
    archive.interactions_purge(older_than=H2)
    InteractionFactory(event_id="late-1", occurred_at=at(H1, 50))

    with django_capture_on_commit_callbacks(execute=True):
        archive.interactions_archive(before=H2)
        purge = archive.interactions_purge(older_than=H2)

    assert file_event_ids(archive_storage, H1) == ["kept-1", "late-1"]
    assert (purge.hours, purge.rows) == (1, 1)
    assert Interaction.objects.count() == 0


def test_purge_deletes_only_rows_of_archived_hours(archive_storage):
    InteractionFactory.create_batch(2, occurred_at=at(H1, 10))
    unarchived = InteractionFactory.create_batch(3, occurred_at=at(H2, 10))
    archive.interactions_archive(before=H2)

    report = archive.interactions_purge(older_than=H3 + timedelta(days=1))

    assert sorted(Interaction.objects.values_list("pk", flat=True)) == sorted(row.pk for row in unarchived)
    assert (report.hours, report.rows, report.kept) == (1, 2, 0)
    assert ArchivedHour.objects.get(hour=H1).purged_at is not None
    assert file_event_ids(archive_storage, H1) != []


def test_purge_keeps_hours_not_older_than_the_cutoff(archive_storage):
    InteractionFactory.create_batch(2, occurred_at=at(H1, 10))
    archive.interactions_archive(before=H2)

    report = archive.interactions_purge(older_than=at(H1, 59))

    assert (report.hours, report.rows) == (0, 0)
    assert Interaction.objects.count() == 2


def test_purge_keeps_a_row_missing_from_the_file_until_the_next_archive_run(archive_storage):
    InteractionFactory(event_id="in-file", occurred_at=at(H1, 10))
    archive.interactions_archive(before=H2)
    # A row committed after the archive read the hour, though received "before" its watermark.
    straggler = InteractionFactory(event_id="straggler", occurred_at=at(H1, 20))
    Interaction.objects.filter(pk=straggler.pk).update(received_at=ArchivedHour.objects.get().covered_until)

    first = archive.interactions_purge(older_than=H2)
    archive.interactions_archive(before=H2)
    second = archive.interactions_purge(older_than=H2)

    assert (first.rows, first.kept, first.hours) == (1, 1, 0)
    assert file_event_ids(archive_storage, H1) == ["in-file", "straggler"]
    assert (second.rows, second.kept, second.hours) == (1, 0, 1)
    assert Interaction.objects.count() == 0


def test_a_shoppers_archived_rows_are_found_and_erased_through_the_index(archive_storage):
    alice, bob = ShopperFactory(), ShopperFactory()
    InteractionFactory(event_id="a-1", shopper=alice, occurred_at=at(H1, 1))
    InteractionFactory(event_id="b-1", shopper=bob, occurred_at=at(H1, 2))
    InteractionFactory(event_id="a-2", shopper=alice, occurred_at=at(H2, 3))
    InteractionFactory(event_id="b-2", shopper=bob, occurred_at=at(H3, 4))
    archive.interactions_archive(before=H3 + timedelta(hours=1))

    rows = archive.archive_rows_for_shoppers(shopper_ids=[alice.pk])
    removed = archive.archive_erase_shoppers(shopper_ids=[alice.pk])
    again = archive.archive_erase_shoppers(shopper_ids=[alice.pk])

    assert [row["event_id"] for row in rows] == ["a-1", "a-2"]
    assert (removed, again) == (2, 0)
    assert file_event_ids(archive_storage, H1) == ["b-1"]
    # An hour left empty has neither a file record nor an index entry.
    assert list(ArchivedHour.objects.values_list("hour", "rows")) == [(H1, 1), (H3, 1)]
    assert not ArchivedShopperHour.objects.filter(shopper_id=alice.pk).exists()


def test_the_hourly_task_archives_finished_hours_and_purges_past_the_retention_window(archive_storage, settings):
    settings.EVENT_RETENTION_DAYS = 10
    now = datetime.now(UTC)
    old = InteractionFactory(occurred_at=now - timedelta(days=20))
    recent = InteractionFactory(occurred_at=now - timedelta(days=5))
    fresh = InteractionFactory(occurred_at=now - timedelta(hours=1))

    result = archive_and_purge.apply().get()

    assert result == {"archived_hours": 2, "archived_rows": 2, "purged_hours": 1, "purged_rows": 1, "kept_rows": 0}
    assert sorted(Interaction.objects.values_list("pk", flat=True)) == sorted([recent.pk, fresh.pk])
    assert [h.hour for h in ArchivedHour.objects.all()] == [
        archive.hour_floor(old.occurred_at),
        archive.hour_floor(recent.occurred_at),
    ]


def test_the_task_is_scheduled_hourly_under_its_name(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["profiles-archive-and-purge"]

    assert entry["task"] == archive_and_purge.name == "profiles.archive.archive_and_purge"
    assert entry["schedule"].minute == {7}
    assert entry["schedule"].hour == set(range(24))


def test_archive_events_command_archives_and_purges(archive_storage, settings, capsys):
    settings.EVENT_RETENTION_DAYS = 1
    InteractionFactory.create_batch(2, occurred_at=at(H1, 10))
    InteractionFactory(occurred_at=at(H2, 10))

    call_command("archive_events", "--before", "2026-03-04T11:30", "--purge")

    archived, purged = capsys.readouterr().out.splitlines()
    assert archived == "archived 2 rows in 1 hour files (before 2026-03-04T11:30:00+00:00)"
    assert purged.startswith("purged 2 rows of 1 archived hours before ")
    assert purged.endswith("; 0 rows not archived yet were kept")
    assert Interaction.objects.count() == 1


@pytest.mark.parametrize(("raw", "days"), [({}, 90), ({"EVENT_RETENTION_DAYS": "30"}, 30)])
def test_retention_days_come_from_the_environment(raw, days):
    assert env.load(raw).event_retention_days == days


@pytest.mark.parametrize("raw", ["0", "-5"])
def test_retention_of_less_than_a_day_is_refused(raw):
    with pytest.raises(ImproperlyConfigured, match="EVENT_RETENTION_DAYS"):
        env.load({"EVENT_RETENTION_DAYS": raw})
