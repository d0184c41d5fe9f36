from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ModerationConfig(AppConfig):
    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Content and ranking never import moderation: the standing rule reaches
        # content.selectors.published, and reputations reach ranking, through their signals.
        # Importing tasks registers the Celery task in every process.
        from content import signals as content_signals
        from moderation import roles, selectors
        from moderation import signals as moderation_signals
        from moderation.appeals import selectors as appeals
        from moderation.reputation import receivers
        from ranking import signals as ranking_signals

        content_signals.servable_conditions.connect(
            selectors.creator_in_good_standing, dispatch_uid="moderation.standing"
        )
        content_signals.creator_servable_conditions.connect(
            selectors.creator_servable, dispatch_uid="moderation.creator_standing"
        )
        ranking_signals.creator_reputations.connect(
            selectors.creator_reputations, dispatch_uid="moderation.reputations"
        )
        # The studio shows creators why moderation took their post down, and lets them appeal.
        content_signals.studio_item_states.connect(appeals.studio_item_states, dispatch_uid="moderation.studio")
        content_signals.studio_removed_listed.connect(
            appeals.removed_by_moderation, dispatch_uid="moderation.studio_removed"
        )
        ranking_signals.shopper_weights.connect(selectors.shopper_weights, dispatch_uid="moderation.shopper_weights")
        # A published, hidden or removed item changes its creator's record: recomputed on the next run.
        content_signals.content_published.connect(
            receivers.item_changed, dispatch_uid="moderation.reputation.published"
        )
        content_signals.content_withdrawn.connect(
            receivers.item_changed, dispatch_uid="moderation.reputation.withdrawn"
        )
        # The roles' groups follow feedsite.roles.GRANTS, the new permissions of a migrate included.
        post_migrate.connect(roles.roles_sync_after_migrate, dispatch_uid="moderation.roles")

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
        moderation_signals.decision_taken.connect(checks.on_decision_taken, dispatch_uid="moderation.checks.retrain")
