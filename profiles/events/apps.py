from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "profiles.events"
    label = "events"
    verbose_name = "Events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from profiles import signals
        from profiles.events import (
            checks,  # noqa: F401  (registers the system check)
            history,
            tasks,  # noqa: F401  (registers the Celery task)
        )

        signals.shopper_merged.connect(history.interactions_merge, dispatch_uid="events.merge")
