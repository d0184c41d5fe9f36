from django.apps import AppConfig


class RankingConfig(AppConfig):
    name = "ranking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Live pushes answer the signals of the layers below, which never import ranking.
        # Importing ranking.tasks registers the Celery tasks in every process.
        from content import signals as content_signals
        from profiles.events import signals as event_signals
        from profiles.privacy import signals as privacy_signals
        from ranking import cards, policy, push, served, tasks  # noqa: F401  (tasks: registers the Celery tasks)

        content_signals.content_published.connect(push.fresh_item_published, dispatch_uid="ranking.push.fresh")
        content_signals.content_withdrawn.connect(push.item_withdrawn, dispatch_uid="ranking.push.withdrawn")
        content_signals.product_changed.connect(push.product_changed, dispatch_uid="ranking.push.product")
        content_signals.product_changed.connect(cards.product_changed, dispatch_uid="ranking.cards.product")
        content_signals.tag_merged.connect(policy.mix_rules_tag_merged, dispatch_uid="ranking.policy.tag_merged")
        event_signals.batch_processed.connect(push.counts_after_batch, dispatch_uid="ranking.push.counts")
        privacy_signals.shopper_exported.connect(served.served_log_export, dispatch_uid="ranking.served.export")
        privacy_signals.shopper_erased.connect(served.served_log_erase, dispatch_uid="ranking.served.erase")
