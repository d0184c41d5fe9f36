from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "experiments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Ranking never imports experiments: variants reach serving through
        # ``ranking.signals.treatment_assignment``, and served pages come back as exposures.
        from experiments import demo, exposure, selectors
        from profiles import signals as profiles_signals
        from ranking import signals as ranking_signals

        ranking_signals.treatment_assignment.connect(
            selectors.treatment_assignment, dispatch_uid="experiments.assignment"
        )
        ranking_signals.page_served.connect(exposure.exposure_record, dispatch_uid="experiments.exposure")
        profiles_signals.shopper_merged.connect(exposure.exposures_merge, dispatch_uid="experiments.merge")
        # The demo shop (``seed_demo``) ends with a finished experiment and its results.
        profiles_signals.demo_seeded.connect(demo.on_demo_seeded, dispatch_uid="experiments.demo")
