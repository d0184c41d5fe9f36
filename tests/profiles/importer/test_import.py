import gzip
import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import timezone

from content.models import Brand, ContentItem, ContentProduct, Product, Tag
from content.services import tag_category_path_ensure
from profiles.events.models import Interaction
from profiles.importer import writing as importer_writing
from profiles.importer.report import ImportReport, SkipReason
from profiles.importer.services import dataset_import
from profiles.models import Shopper
from tests.factories import BrandFactory

pytestmark = pytest.mark.django_db

GOOD_ITEMS = """\
item_id,title,brand,category,price,tags,created_at,n_ratings
serum,Glow serum,Acme,Beauty > Skin > Serum,19.9,vegan|glow,2024-03-01T09:00:00+01:00,3
cream,Night cream,Acme,Beauty > Skin,n/a,,,1
42,,,12,,,,1
"""
GOOD_EVENTS = """\
user_id,item_id,event,ts,rating,session_id,device
u1,serum,view,1709280000,,s-1,ios
u1,serum,click,1709280060,,s-1,ios
u1,serum,purchase,2024-03-01T08:05:00Z,,s-1,
u2,42,rate,1709290000,4,,
u2,cream,wishlist,1709290100.5,,,web
"""


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def write_dataset(directory: Path, *, items: str, events: str) -> Path:
    """A dataset folder holding ``items`` and ``events`` (CSV text) gzip-compressed."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "items.csv.gz").write_bytes(gzip.compress(items.encode()))
    (directory / "events.csv.gz").write_bytes(gzip.compress(events.encode()))
    return directory


def row_counts() -> dict[str, int]:
    """Rows in every table of the content and profiles apps (M2M tables included)."""
    counts = {}
    for label in ("content", "profiles"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            counts[model._meta.db_table] = model._default_manager.count()
    return counts


def interactions() -> list[tuple]:
    return list(
        Interaction.objects.order_by("occurred_at").values_list(
            "shopper__external_id",
            "content__external_id",
            "type",
            "occurred_at",
            "value",
            "session_id",
            "product__external_id",
            "context",
        )
    )


def test_good_dataset_imports_products_cards_tags_shoppers_and_interactions(tmp_path):
    directory = write_dataset(tmp_path / "good", items=GOOD_ITEMS, events=GOOD_EVENTS)

    report = dataset_import(directory=directory)

    assert report == ImportReport(
        items_read=3,
        items_imported=3,
        items_updated=0,
        items_skipped={},
        brands_created=1,
        tags_created=6,
        shoppers_created=2,
        events_read=5,
        events_imported=5,
        events_skipped={},
        elapsed_seconds=report.elapsed_seconds,
    )
    assert report.elapsed_seconds > 0
    acme = Brand.objects.get()
    assert (acme.name, acme.slug) == ("Acme", "acme")
    assert list(
        Product.objects.order_by("external_id").values_list(
            "external_id", "title", "brand", "category_path", "price", "currency", "stock", "active"
        )
    ) == [
        ("42", "Item 42", None, "Category 12", None, "EUR", 100, True),
        ("cream", "Night cream", acme.pk, "Beauty > Skin", None, "EUR", 100, True),
        ("serum", "Glow serum", acme.pk, "Beauty > Skin > Serum", Decimal("19.90"), "EUR", 100, True),
    ]
    # published_at: the created_at column, else the item's first event.
    assert list(
        ContentItem.objects.order_by("external_id").values_list(
            "external_id", "kind", "source", "status", "brand", "published_at", "engagement"
        )
    ) == [
        ("42", "product_card", "brand", "published", None, utc(2024, 3, 1, 10, 46, 40), 1),
        ("cream", "product_card", "brand", "published", acme.pk, datetime(2024, 3, 1, 10, 48, 20, 500000, UTC), 1),
        ("serum", "product_card", "brand", "published", acme.pk, utc(2024, 3, 1, 8), 3),
    ]
    assert sorted(ContentProduct.objects.values_list("content__external_id", "product__external_id", "position")) == [
        ("42", "42", 0),
        ("cream", "cream", 0),
        ("serum", "serum", 0),
    ]
    assert sorted(Tag.objects.values_list("slug", "name", "kind", "parent__slug")) == [
        ("cat-beauty", "Beauty", "category", None),
        ("cat-beauty-skin", "Skin", "category", "cat-beauty"),
        ("cat-beauty-skin-serum", "Serum", "category", "cat-beauty-skin"),
        ("cat-category-12", "Category 12", "category", None),
        ("glow", "glow", "topic", None),
        ("vegan", "vegan", "topic", None),
    ]
    assert sorted(ContentItem.objects.get(external_id="serum").tags.values_list("slug", flat=True)) == [
        "cat-beauty",
        "cat-beauty-skin",
        "cat-beauty-skin-serum",
        "glow",
        "vegan",
    ]
    assert list(ContentItem.objects.get(external_id="42").tags.values_list("slug", flat=True)) == ["cat-category-12"]
    assert sorted(Shopper.objects.values_list("external_id", "user", "personalization")) == [
        ("u1", None, True),
        ("u2", None, True),
    ]
    assert interactions() == [
        ("u1", "serum", "view", utc(2024, 3, 1, 8), None, "s-1", None, {"device": "ios"}),
        ("u1", "serum", "open", utc(2024, 3, 1, 8, 1), None, "s-1", None, {"device": "ios"}),
        ("u1", "serum", "purchase", utc(2024, 3, 1, 8, 5), None, "s-1", "serum", {}),
        ("u2", "42", "rate", utc(2024, 3, 1, 10, 46, 40), 4.0, "", None, {}),
        (
            "u2",
            "cream",
            "other",
            datetime(2024, 3, 1, 10, 48, 20, 500000, UTC),
            None,
            "",
            None,
            {"device": "web", "kind": "wishlist"},
        ),
    ]
    assert all(event_id.startswith("ds:") for event_id in Interaction.objects.values_list("event_id", flat=True))


def test_imported_category_tags_are_the_ones_the_app_derives_from_the_category_path(tmp_path):
    dataset_import(directory=write_dataset(tmp_path / "good", items=GOOD_ITEMS, events=GOOD_EVENTS))
    tags_before = Tag.objects.count()

    derived = [
        tag.slug
        for product in Product.objects.order_by("external_id")
        for tag in tag_category_path_ensure(path=product.category_path)
    ]

    assert derived == [
        "cat-category-12",
        "cat-beauty",
        "cat-beauty-skin",
        "cat-beauty",
        "cat-beauty-skin",
        "cat-beauty-skin-serum",
    ]
    assert Tag.objects.count() == tags_before


@pytest.mark.parametrize(
    ("event", "expected_type", "expected_context"),
    [
        ("view", "view", {}),
        ("click", "open", {}),
        ("like", "like", {}),
        ("share", "share", {}),
        ("comment", "comment", {}),
        ("add_to_cart", "add_to_cart", {}),
        ("Add-To-Cart", "add_to_cart", {}),
        ("cart", "add_to_cart", {}),
        ("addtocart", "add_to_cart", {}),
        ("buy", "purchase", {}),
        ("transaction", "purchase", {}),
        ("order", "purchase", {}),
        ("rating", "rate", {}),
        ("review", "rate", {}),
        ("product_click", "product_click", {}),
        ("wishlist", "other", {"kind": "wishlist"}),
    ],
)
def test_event_kinds_map_to_interaction_types(tmp_path, event, expected_type, expected_context):
    directory = write_dataset(tmp_path, items="item_id\nx\n", events=f"user_id,item_id,event,ts\nu,x,{event},1\n")

    report = dataset_import(directory=directory)

    assert report.events_imported == 1
    assert list(Interaction.objects.values_list("type", "context")) == [(expected_type, expected_context)]


@pytest.mark.parametrize(
    ("header", "row", "expected_value", "expected_context"),
    [
        ("rating", "5", 5.0, {}),
        ("value", "2.5", 2.5, {}),
        ("rating,value", "3,7", 3.0, {"value": "7"}),
        ("rating", "", None, {}),
    ],
)
def test_rating_or_value_column_becomes_the_interaction_value(tmp_path, header, row, expected_value, expected_context):
    directory = write_dataset(
        tmp_path, items="item_id\nx\n", events=f"user_id,item_id,event,ts,{header}\nu,x,rate,1,{row}\n"
    )

    dataset_import(directory=directory)

    assert list(Interaction.objects.values_list("value", "context")) == [(expected_value, expected_context)]


@pytest.mark.parametrize(
    ("ts", "expected"),
    [
        ("1600000000", utc(2020, 9, 13, 12, 26, 40)),
        ("1600000000.25", datetime(2020, 9, 13, 12, 26, 40, 250000, UTC)),
        ("2020-09-13T12:26:40Z", utc(2020, 9, 13, 12, 26, 40)),
        ("2020-09-13T14:26:40+02:00", utc(2020, 9, 13, 12, 26, 40)),
        ("2020-09-13 12:26:40.5-01:00", datetime(2020, 9, 13, 13, 26, 40, 500000, UTC)),
    ],
)
def test_unix_and_iso_timestamps_are_read_as_utc(tmp_path, ts, expected):
    directory = write_dataset(tmp_path, items="item_id\nx\n", events=f"user_id,item_id,event,ts\nu,x,view,{ts}\n")

    dataset_import(directory=directory)

    assert list(Interaction.objects.values_list("occurred_at", flat=True)) == [expected]


def test_the_same_instant_written_two_ways_is_a_duplicate(tmp_path):
    events = "user_id,item_id,event,ts\nu,x,view,1600000000\nu,x,view,2020-09-13T14:26:40+02:00\n"
    directory = write_dataset(tmp_path, items="item_id\nx\n", events=events)

    report = dataset_import(directory=directory)

    assert (report.events_imported, report.events_skipped) == (1, {SkipReason.DUPLICATE: 1})
    assert Interaction.objects.count() == 1


def test_bad_rows_are_skipped_and_counted_per_reason_and_the_valid_rows_kept(tmp_path):
    items = """\
item_id,title
a,Alpha
,No id
a,Alpha again
b,Beta,extra field
c,Gamma
"""
    events = """\
user_id,item_id,event,ts,rating
u1,a,view,1700000000,
u1,a,view,1700000000,
u1,a,view,yesterday,
u1,a,view,2023-11-14T22:13:20,
,a,view,1700000000,
u1,b,view,1700000000,
u1,zzz,view,1700000000,
u1,c,rate,1700000000,five
u1,c,rate,1700000000
u2,c,rate,1700000100,5
"""
    directory = write_dataset(tmp_path, items=items, events=events)

    report = dataset_import(directory=directory)

    assert report == ImportReport(
        items_read=5,
        items_imported=2,
        items_skipped={SkipReason.MALFORMED: 1, SkipReason.MISSING_FIELD: 1, SkipReason.DUPLICATE: 1},
        shoppers_created=2,
        events_read=10,
        events_imported=2,
        events_skipped={
            SkipReason.MALFORMED: 2,
            SkipReason.MISSING_FIELD: 1,
            SkipReason.BAD_TIMESTAMP: 2,
            SkipReason.UNKNOWN_ITEM: 2,
            SkipReason.DUPLICATE: 1,
        },
        elapsed_seconds=report.elapsed_seconds,
    )
    assert sorted(Product.objects.values_list("external_id", "title")) == [("a", "Alpha"), ("c", "Gamma")]
    assert sorted(ContentItem.objects.values_list("external_id", "engagement")) == [("a", 1), ("c", 1)]
    assert interactions() == [
        ("u1", "a", "view", utc(2023, 11, 14, 22, 13, 20), None, "", None, {}),
        ("u2", "c", "rate", utc(2023, 11, 14, 22, 15), 5.0, "", None, {}),
    ]


def test_running_twice_imports_nothing_twice(tmp_path):
    directory = write_dataset(tmp_path, items=GOOD_ITEMS, events=GOOD_EVENTS)
    dataset_import(directory=directory)
    counts_after_first = row_counts()
    cards_after_first = list(ContentItem.objects.order_by("pk").values())

    report = dataset_import(directory=directory)

    assert report == ImportReport(
        items_read=3,
        items_skipped={SkipReason.ALREADY_IMPORTED: 3},
        events_read=5,
        events_skipped={SkipReason.ALREADY_IMPORTED: 5},
        elapsed_seconds=report.elapsed_seconds,
    )
    assert row_counts() == counts_after_first
    assert list(ContentItem.objects.order_by("pk").values()) == cards_after_first


def test_second_run_takes_new_item_values_and_events_and_keeps_the_shops_own_fields(tmp_path):
    dataset_import(directory=write_dataset(tmp_path / "v1", items=GOOD_ITEMS, events=GOOD_EVENTS))
    Product.objects.filter(external_id="serum").update(stock=3, active=False)
    ContentItem.objects.filter(external_id="cream").update(status=ContentItem.Status.REMOVED)
    items = GOOD_ITEMS.replace("Glow serum,Acme", "Glow serum 2.0,Zenith") + "new,,,,,,,\n"
    events = GOOD_EVENTS + "u3,serum,like,1709300000,,,\nu3,new,view,1709300000,,,\n"

    report = dataset_import(directory=write_dataset(tmp_path / "v2", items=items, events=events))

    assert report == ImportReport(
        items_read=4,
        items_imported=1,
        items_updated=1,
        items_skipped={SkipReason.ALREADY_IMPORTED: 2},
        brands_created=1,
        shoppers_created=1,
        events_read=7,
        events_imported=2,
        events_skipped={SkipReason.ALREADY_IMPORTED: 5},
        elapsed_seconds=report.elapsed_seconds,
    )
    serum = Product.objects.select_related("brand").get(external_id="serum")
    assert (serum.title, serum.brand.name, serum.stock, serum.active) == ("Glow serum 2.0", "Zenith", 3, False)
    assert ContentItem.objects.get(external_id="cream").status == ContentItem.Status.REMOVED
    assert sorted(ContentItem.objects.values_list("external_id", "engagement")) == [
        ("42", 1),
        ("cream", 1),
        ("new", 1),
        ("serum", 4),
    ]


def test_an_item_without_created_at_or_events_is_published_at_import_time(tmp_path):
    directory = write_dataset(tmp_path, items="item_id\nlonely\n", events="user_id,item_id,event,ts\n")
    before = timezone.now()

    dataset_import(directory=directory)

    published_at = ContentItem.objects.get(external_id="lonely").published_at
    assert before <= published_at <= timezone.now()


def test_an_existing_brand_is_reused_by_name(tmp_path):
    acme = BrandFactory(name="Acme", slug="acme")

    report = dataset_import(directory=write_dataset(tmp_path, items=GOOD_ITEMS, events=GOOD_EVENTS))

    assert report.brands_created == 0
    assert set(Product.objects.values_list("brand", flat=True)) == {acme.pk, None}


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-20])


def not_gzip(path: Path) -> None:
    path.write_bytes(b"user_id,item_id,event,ts\n")


def remove(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize(
    ("file_name", "damage", "message"),
    [
        ("events.csv.gz", truncate, "events.csv.gz cannot be read"),
        ("items.csv.gz", truncate, "items.csv.gz cannot be read"),
        ("events.csv.gz", not_gzip, "events.csv.gz cannot be read"),
        ("items.csv.gz", remove, "items.csv.gz is missing"),
    ],
)
def test_an_unreadable_file_stops_the_import_before_anything_is_written(tmp_path, file_name, damage, message):
    # Enough rows that the good file's rows would be written first if reading and writing interleaved.
    events = GOOD_EVENTS + "".join(f"u{n},serum,view,{1709280000 + n},,,\n" for n in range(2000))
    directory = write_dataset(tmp_path, items=GOOD_ITEMS, events=events)
    damage(directory / file_name)
    before = row_counts()

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_dataset", str(directory), "--no-progress")

    assert row_counts() == before
    assert set(before.values()) == {0}


@pytest.mark.parametrize("header", ["user_id,item_id,event", ""])
def test_an_events_file_without_the_required_columns_is_refused(tmp_path, header):
    directory = write_dataset(tmp_path, items=GOOD_ITEMS, events=f"{header}\n" if header else "")

    with pytest.raises(CommandError, match=re.escape("events.csv.gz")):
        call_command("import_dataset", str(directory), "--no-progress")

    assert set(row_counts().values()) == {0}


def test_a_failure_while_writing_rolls_back_everything(tmp_path, monkeypatch):
    directory = write_dataset(tmp_path, items=GOOD_ITEMS, events=GOOD_EVENTS)

    # Products, cards, tags and shoppers are written by the time the interactions insert fails.
    def failing_insert(parsed, db, counts):
        db.cursor.execute("INSERT INTO no_such_table SELECT 1")

    events_insert = importer_writing._events_insert
    assert events_insert in importer_writing.STEPS
    steps = tuple(failing_insert if step is events_insert else step for step in importer_writing.STEPS)
    monkeypatch.setattr(importer_writing, "STEPS", steps)

    with pytest.raises(DatabaseError):
        dataset_import(directory=directory)

    assert set(row_counts().values()) == {0}


def test_command_prints_the_report(tmp_path):
    directory = write_dataset(tmp_path, items=GOOD_ITEMS, events=GOOD_EVENTS + GOOD_EVENTS.splitlines()[1] + "\n")
    out = io.StringIO()

    call_command("import_dataset", str(directory), "--no-progress", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[:-1] == [
        "Items:    3 read, 3 imported, 0 updated; skipped: none",
        "Brands:   1 created; tags: 6 created",
        "Shoppers: 2 created",
        "Events:   6 read, 5 imported; skipped: 1 duplicate",
    ]
    assert lines[-1].startswith("Done in ")


def test_the_same_file_gives_shoppers_and_events_their_ids_in_one_order(tmp_path):
    # Training samples shoppers and breaks ties by id: the ids may not follow a set's or a join's order.
    users = [f"user-{n:03d}-{'xyz'[n % 3]}" for n in range(60)]
    rows = [f"{user},serum,view,{1709280000 + (n % 4) * 60}" for n, user in enumerate(reversed(users))]
    events = "user_id,item_id,event,ts\n" + "\n".join(rows + [f"{u},cream,like,1709280000" for u in users]) + "\n"
    dataset_import(directory=write_dataset(tmp_path / "d", items=GOOD_ITEMS, events=events))

    assert list(Shopper.objects.order_by("pk").values_list("external_id", flat=True)) == sorted(users)
    imported = list(Interaction.objects.order_by("pk").values_list("occurred_at", "event_id"))
    assert imported == sorted(imported)
