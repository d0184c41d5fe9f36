from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Content never imports moderation: the standing rule reaches content.selectors.published
        # through its hook. Importing tasks registers the Celery task in every process.
        from content import hooks as content_hooks
        from moderation import selectors, tasks  # noqa: F401  (tasks: registers the Celery task)

        content_hooks.restrict_servable(selectors.creator_in_good_standing)
