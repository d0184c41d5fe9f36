from django.apps import AppConfig


class RankingConfig(AppConfig):
    name = "ranking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Live pushes hang on the hooks of the layers below, which never import ranking.
        # Importing ranking.push here also registers its Celery task in every process.
        from content import hooks as content_hooks
        from profiles.events import hooks as event_hooks
        from ranking import cards, push, tasks  # noqa: F401  (tasks: registers the Celery tasks)

        content_hooks.on_content_published(push.fresh_item_published)
        content_hooks.on_product_changed(push.product_changed)
        content_hooks.on_product_changed(cards.product_changed)
        event_hooks.on_batch_processed(push.counts_after_batch)
