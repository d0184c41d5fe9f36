from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "profiles.privacy"
    label = "privacy"
    verbose_name = "Privacy and retention"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from profiles.privacy import tasks  # noqa: F401  (registers the Celery task)
