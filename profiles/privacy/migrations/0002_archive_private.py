from django.db import migrations

from feedsite.migrating import files_to_private


def archive_to_private(apps, schema_editor):
    ArchivedHour = apps.get_model("privacy", "ArchivedHour")
    files_to_private(ArchivedHour.objects.values_list("path", flat=True))


class Migration(migrations.Migration):
    # The archive of raw events moved from the public media storage to the private one.
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(archive_to_private, migrations.RunPython.noop)]
