"""Search: the ``pg_trgm`` extension and trigram GIN indexes on the names a query is compared with.

Both only on PostgreSQL (``TrigramExtension`` does nothing elsewhere; the indexes are made here
rather than in ``Meta.indexes`` because SQLite, the embedded default, has no GIN).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("content_product_title_trgm", "content_product", "title"),
    ("content_brand_name_trgm", "content_brand", "name"),
    ("content_creator_handle_trgm", "content_creator", "handle"),
    ("content_creator_name_trgm", "content_creator", "display_name"),
    ("content_tag_name_trgm", "content_tag", "name"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("content", "0008_roles_permissions")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
