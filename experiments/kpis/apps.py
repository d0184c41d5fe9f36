from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "experiments.kpis"
    label = "kpis"
    verbose_name = "Feed KPIs"
    default_auto_field = "django.db.models.BigAutoField"
