from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "experiments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Ranking never imports experiments: the running experiment's variants reach its policy
        # through ``ranking.signals.policy_assignment``.
        from experiments import selectors
        from ranking import signals as ranking_signals

        ranking_signals.policy_assignment.connect(selectors.policy_assignment, dispatch_uid="experiments.assignment")
