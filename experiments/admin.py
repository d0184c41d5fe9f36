"""Marketers' experiments: what each tests, on whom, with which variants; started, stopped and
previewed from here. Variants are edited inline while a draft and frozen once it runs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from experiments.assignment import variant_treatment
from experiments.metrics import metric_choices
from experiments.models import Experiment, Holdout, Layer, Variant
from experiments.results_admin import ResultsAdminMixin
from experiments.services import (
    experiment_problems,
    experiment_start,
    experiment_stop,
    rollout_draft_for_model,
    variant_problems,
)
from feedsite.errors import ApplicationError
from ranking.models import RankerModel
from ranking.preview import preview_page, shopper_named
from ranking.registry import active_ranker
from ranking.treatment import SOURCES, SWITCHES


def _is_draft(obj: Experiment | None) -> bool:
    return obj is None or obj.status == Experiment.Status.DRAFT


class VariantForm(forms.ModelForm):
    switches_off = forms.MultipleChoiceField(
        choices=[(name, f"{name}: {what}") for name, what in SWITCHES.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Switched off",
    )

    class Meta:
        model = Variant
        fields = ("name", "is_control", "weight", "policy", "ranker", "source_weights", "switches_off")
        help_texts = {
            "source_weights": 'Candidate source → weight (1 = as now, 0 = never served), e.g. {"collaborative": 1.5}. '
            f"Sources: {', '.join(sorted(SOURCES))}.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        probe = Variant(
            name=data.get("name") or "this variant",
            source_weights=data.get("source_weights") or {},
            switches_off=data.get("switches_off") or [],
            ranker=data.get("ranker"),
        )
        for problem in variant_problems(probe):
            self.add_error(None, problem)
        return data


class VariantInline(admin.TabularInline):
    """Frozen once the experiment runs: new weights would move shoppers between variants."""

    model = Variant
    form = VariantForm
    extra = 2
    autocomplete_fields = ("policy",)
    readonly_fields = ("preview", "stopped")

    fields = (*VariantForm.Meta.fields, "preview", "stopped")

    @admin.display(description="preview")
    def preview(self, obj: Variant) -> str:
        if obj.pk is None:
            return "–"
        url = reverse("admin:experiments_experiment_preview", args=[obj.experiment_id])
        return format_html('<a href="{}?variant={}">Preview the feed in {}</a>', url, obj.pk, obj.name)

    @admin.display(description="stopped")
    def stopped(self, obj: Variant) -> str:
        return f"{obj.stopped_at:%Y-%m-%d %H:%M}: {obj.stop_reason}" if obj.stopped_at else "–"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_delete_permission(request, obj)


class ExperimentForm(forms.ModelForm):
    primary_metric = forms.ChoiceField(choices=metric_choices)
    secondary_metrics = forms.MultipleChoiceField(
        choices=metric_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    guardrail_metrics = forms.MultipleChoiceField(
        choices=metric_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A significant move of one of these the wrong way stops the variant.",
    )

    class Meta:
        model = Experiment
        fields = (
            *("name", "kind", "hypothesis", "description", "layer", "traffic_share", "audience", "segment"),
            *("primary_metric", "secondary_metrics", "guardrail_metrics", "alpha", "min_sample", "min_days"),
            *("rollout_steps", "step_hours", "stop_reason"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        share = data.get("traffic_share")
        if share is not None and not 0 < share <= 1:
            self.add_error("traffic_share", "A share above 0 and at most 1.")
        if data.get("audience") == Experiment.Audience.SEGMENT and not data.get("segment"):
            self.add_error("segment", "Choose the segment that is the audience.")
        alpha = data.get("alpha")
        if alpha is not None and not 0 < alpha < 0.5:
            self.add_error("alpha", "Between 0 and 0.5.")
        return data


class RolloutModelForm(forms.Form):
    model = forms.ModelChoiceField(
        queryset=RankerModel.objects.exclude(status=RankerModel.Status.ACTIVE).exclude(artifact=""),
        help_text="A trained model that is not active (a candidate, or one refused or retired).",
    )
    layer = forms.ModelChoiceField(queryset=Layer.objects.all())


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
    """Experiments in one layer never share a shopper (``experiment_start`` gives each its own
    range of the layer's buckets); a draft lists what stops it from starting."""

    form = ExperimentForm
    list_display = ("name", "kind_short", "status", "traffic", "variant_split", "started_at", "results_link")
    list_filter = ("status", "kind", "layer")
    search_fields = ("name", "hypothesis")
    inlines = (VariantInline,)
    actions = (start_experiments, stop_experiments)
    fieldsets = (
        (None, {"fields": ("name", "kind", "hypothesis", "description")}),
        ("Who", {"fields": ("layer", "traffic_share", "audience", "segment")}),
        ("What is measured", {"fields": ("primary_metric", "secondary_metrics", "guardrail_metrics")}),
        ("When a result may be read", {"fields": ("alpha", "min_sample", "min_days")}),
        ("Staged rollout", {"fields": ("rollout_steps", "step_hours"), "classes": ("collapse",)}),
        (
            "Lifecycle",
            {"fields": ("readiness", "status", "rollout", "created_at", "started_at", "stopped_at", "stop_reason")},
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Experiment]:
        return super().get_queryset(request).select_related("layer").prefetch_related("variants")

    def has_start_permission(self, request: HttpRequest) -> bool:
        """Starting and stopping change what shoppers are served: ``experiments.start_experiment``."""
        return request.user.has_perm("experiments.start_experiment")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        lifecycle = ("readiness", "status", "rollout", "created_at", "started_at", "stopped_at", "stop_reason")
        if _is_draft(obj):
            return lifecycle
        # What is tested, on whom and how it is read is fixed at the start: changing the metrics
        # or the bar afterwards would let the data choose the question.
        frozen = (
            *("name", "kind", "salt", "layer", "traffic_share", "audience", "segment", "rollout_steps", "step_hours"),
            *("primary_metric", "secondary_metrics", "guardrail_metrics", "alpha", "min_sample", "min_days"),
        )
        return (*frozen, *lifecycle)

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
        return ", ".join(f"{v.name}{' (control)' if v.is_control else ''} {v.weight}" for v in obj.variants.all())

    @admin.display(description="kind", ordering="kind")
    def kind_short(self, obj: Experiment) -> str:
        return obj.get_kind_display().split(" (")[0]

    @admin.display(description="traffic")
    def traffic(self, obj: Experiment) -> str:
        return f"{obj.traffic_share:.0%} of {obj.layer}"

    @admin.display(description="ready to start?")
    def readiness(self, obj: Experiment) -> str:
        if obj.pk is None:
            return "Save the experiment with its variants to see what is missing."
        if obj.status != Experiment.Status.DRAFT:
            return f"Started {obj.started_at:%Y-%m-%d %H:%M} UTC." if obj.started_at else "Started."
        problems = experiment_problems(obj)
        if not problems:
            return "Yes: start it from the list's actions."
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in problems)))

    @admin.display(description="rollout")
    def rollout(self, obj: Experiment) -> str:
        if obj.kind != Experiment.Kind.ROLLOUT:
            return "–"
        steps = " → ".join(f"{s:.0%}" for s in obj.rollout_steps)
        if obj.status != Experiment.Status.RUNNING:
            return steps
        share = obj.rollout_steps[min(obj.rollout_step, len(obj.rollout_steps) - 1)]
        return f"{steps}; now {share:.0%} (step {obj.rollout_step + 1}, since {obj.step_started_at:%Y-%m-%d %H:%M})"

    def get_urls(self) -> list[Any]:
        preview = self.admin_site.admin_view(self.preview_view)
        rollout = self.admin_site.admin_view(self.rollout_model_view)
        return [
            path("<int:object_id>/preview/", preview, name="experiments_experiment_preview"),
            path("rollout-model/", rollout, name="experiments_experiment_rollout_model"),
            *super().get_urls(),
        ]

    def rollout_model_view(self, request: HttpRequest) -> HttpResponse:
        """A new ranker model reaches shoppers through a staged rollout: this drafts one (the
        active model as the control) for the marketer to check and start."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RolloutModelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            experiment = rollout_draft_for_model(model=form.cleaned_data["model"], layer=form.cleaned_data["layer"])
            self.message_user(request, f"Rollout {experiment.name} drafted: check it, then start it.")
            return redirect("admin:experiments_experiment_change", experiment.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Roll out a ranker model in steps",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/experiments/rollout_model.html", context)

    def preview_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The first page a chosen shopper would get in a chosen variant (whatever variant they
        are in); 403 without ``ranking.preview_feed`` (it shows what one shopper is shown)."""
        if not (self.has_view_permission(request) and request.user.has_perm("ranking.preview_feed")):
            raise PermissionDenied
        experiment = get_object_or_404(Experiment, pk=object_id)
        raw_variant = request.GET.get("variant", "")
        variant = get_object_or_404(
            Variant.objects.select_related("experiment", "policy", "ranker"),
            experiment=experiment,
            pk=int(raw_variant) if raw_variant.isdigit() else 0,
        )
        raw = request.GET.get("shopper", "").strip()
        shopper = shopper_named(raw)
        treatment = variant_treatment(variant)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview the feed in {variant}",
            "query": raw,
            "shopper": shopper,
            "variant": variant,
            "ranker": active_ranker(),
            "preview": preview_page(shopper, treatment) if shopper is not None else None,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/ranking/preview.html", context)


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    """Experiments in one layer never share a shopper; experiments in different layers overlap."""

    list_display = ("name", "description", "running", "free")
    readonly_fields = ("salt",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Layer]:
        return super().get_queryset(request).prefetch_related("experiments")

    def _running(self, obj: Layer) -> list[Experiment]:
        return [e for e in obj.experiments.all() if e.status == Experiment.Status.RUNNING]

    @admin.display(description="running experiments")
    def running(self, obj: Layer) -> str:
        return ", ".join(f"{e.name} ({e.traffic_share:.0%})" for e in self._running(obj)) or "–"

    @admin.display(description="free share")
    def free(self, obj: Layer) -> str:
        taken = sum((e.bucket_end or 0) - (e.bucket_start or 0) for e in self._running(obj))
        return f"{1 - taken / 10_000:.0%}"


@admin.register(Holdout)
class HoldoutAdmin(admin.ModelAdmin):
    """One row: the share of shoppers kept out of every experiment."""

    list_display = ("__str__", "updated_at")
    readonly_fields = ("salt", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Holdout.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
