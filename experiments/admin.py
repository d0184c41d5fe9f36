"""Marketers' experiments: variants edited inline while a draft, started and stopped by actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from experiments.models import Experiment, Variant
from experiments.results_admin import ResultsAdminMixin
from experiments.services import experiment_start, experiment_stop
from feedsite.errors import ApplicationError


def _is_draft(obj: Experiment | None) -> bool:
    return obj is None or obj.status == Experiment.Status.DRAFT


class VariantInline(admin.TabularInline):
    """Frozen once the experiment runs: new weights would move shoppers between variants."""

    model = Variant
    extra = 2
    fields = ("name", "weight", "policy")
    autocomplete_fields = ("policy",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_delete_permission(request, obj)


def _run_each(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Experiment], service: Any, done: str) -> None:
    for experiment in queryset.order_by("pk"):
        try:
            service(experiment=experiment)
        except ApplicationError as refused:
            modeladmin.message_user(request, refused.message, level=messages.ERROR)
        else:
            modeladmin.message_user(request, f"Experiment {experiment.name} {done}.")


@admin.action(description="Start the selected experiments", permissions=["start"])
def start_experiments(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Experiment]) -> None:
    _run_each(modeladmin, request, queryset, experiment_start, "is running")


@admin.action(description="Stop the selected experiments", permissions=["start"])
def stop_experiments(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Experiment]) -> None:
    _run_each(modeladmin, request, queryset, experiment_stop, "is stopped")


@admin.register(Experiment)
class ExperimentAdmin(ResultsAdminMixin, admin.ModelAdmin):
    """At most one experiment runs at a time (``experiment_start`` refuses a second)."""

    list_display = ("name", "status", "variant_split", "started_at", "stopped_at", "results_link")
    list_filter = ("status",)
    search_fields = ("name",)
    inlines = (VariantInline,)
    actions = (start_experiments, stop_experiments)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Experiment]:
        return super().get_queryset(request).prefetch_related("variants")

    def has_start_permission(self, request: HttpRequest) -> bool:
        """Starting and stopping change what shoppers are served: ``experiments.start_experiment``."""
        return request.user.has_perm("experiments.start_experiment")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        lifecycle = ("status", "created_at", "started_at", "stopped_at")
        return lifecycle if _is_draft(obj) else ("name", "salt", *lifecycle)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk deletion asks no object whether it may go: a running experiment is stopped first.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        running = obj is not None and obj.status == Experiment.Status.RUNNING
        return not running and super().has_delete_permission(request, obj)

    @admin.display(description="variants")
    def variant_split(self, obj: Experiment) -> str:
        return ", ".join(f"{v.name} {v.weight}" for v in obj.variants.all())
