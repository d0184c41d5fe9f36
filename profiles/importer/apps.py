from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "profiles.importer"
    label = "importer"
    verbose_name = "Dataset import"
    default_auto_field = "django.db.models.BigAutoField"
