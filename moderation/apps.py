from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Content and ranking never import moderation: the standing rule reaches
        # content.selectors.published, and reputations reach ranking, through their signals.
        # Importing tasks registers the Celery task in every process.
        from content import signals as content_signals
        from moderation import selectors, tasks  # noqa: F401  (tasks: registers the Celery task)
        from ranking import signals as ranking_signals

        content_signals.servable_conditions.connect(
            selectors.creator_in_good_standing, dispatch_uid="moderation.standing"
        )
        ranking_signals.creator_reputations.connect(
            selectors.creator_reputations, dispatch_uid="moderation.reputations"
        )

        # Automatic checks (moderation.checks): items are screened by a Celery task once they enter
        # review; comments and profiles are answered before they are stored and recorded after.
        from moderation.checks import receivers as checks

        content_signals.content_submitted.connect(checks.on_content_submitted, dispatch_uid="moderation.checks.item")
        content_signals.comment_submitted.connect(checks.on_comment_submitted, dispatch_uid="moderation.checks.comment")
        content_signals.comment_created.connect(
            checks.on_comment_created, dispatch_uid="moderation.checks.comment_record"
        )
        content_signals.profile_submitted.connect(checks.on_profile_submitted, dispatch_uid="moderation.checks.profile")
        content_signals.profile_saved.connect(checks.on_profile_saved, dispatch_uid="moderation.checks.profile_record")
