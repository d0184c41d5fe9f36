from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "experiments.segments"
    label = "segments"
    verbose_name = "Shopper segments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Ranking never imports experiments: the shopper's segment reaches its features through
        # ``ranking.signals.shopper_segments``.
        from experiments.segments import feature
        from ranking import signals as ranking_signals

        ranking_signals.shopper_segments.connect(feature.shopper_segments, dispatch_uid="segments.feature")
