from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "experiments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Ranking never imports experiments: the running experiment's variants reach its policy
        # through ``ranking.signals.policy_assignment``.
        from experiments import demo, selectors
        from profiles import signals as profiles_signals
        from ranking import signals as ranking_signals

        ranking_signals.policy_assignment.connect(selectors.policy_assignment, dispatch_uid="experiments.assignment")
        # The demo shop (``seed_demo``) ends with a finished experiment and its results.
        profiles_signals.demo_seeded.connect(demo.on_demo_seeded, dispatch_uid="experiments.demo")
