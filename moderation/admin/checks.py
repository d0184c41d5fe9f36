"""Admin of the automatic checks: rules (validated per kind, every change audited), the classifier's
versions (read-only, with "Activate" and "Retrain now"), and screenings (read-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator

from feedsite.admin import ReadOnlyAdminMixin
from moderation.checks.classifier import classifier_activate
from moderation.checks.rules import rule_validate
from moderation.checks.services import rule_delete, rule_save, rule_snapshot
from moderation.checks.tasks import classifier_retrain_task
from moderation.models import ClassifierVersion, Rule, Screening


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = (
            "name",
            "kind",
            "parameter",
            "threshold",
            "action",
            "score",
            "on_captions",
            "on_comments",
            "on_profiles",
            "on_media",
            "message",
            "enabled",
        )
        help_texts = {
            "parameter": "Banned terms: one per line. Pattern: a regular expression. Repeated posting: minutes.",
            "threshold": "What it means depends on the kind (see the kind's name).",
            "score": "0 to 1: how risky a hit makes the submission (the queue orders by it).",
            "message": "Told to the author when this rule rejects; empty: the check's reason.",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            rule_validate(
                kind=cleaned["kind"],
                parameter=cleaned.get("parameter", ""),
                threshold=cleaned.get("threshold"),
                score=cleaned["score"],
            )
        except ValidationError as invalid:
            for field, problems in invalid.message_dict.items():
                for problem in problems:
                    self.add_error(field, problem)
        return cleaned


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ("name", "kind", "action", "score", "threshold", "applies_to", "enabled", "updated_by", "updated_at")
    list_filter = ("kind", "action", "enabled")
    search_fields = ("name", "parameter")
    ordering = ("name",)

    @admin.display(description="applies to")
    def applies_to(self, obj: Rule) -> str:
        parts = [("captions", obj.on_captions), ("comments", obj.on_comments)]
        parts += [("profiles", obj.on_profiles), ("media", obj.on_media)]
        return ", ".join(name for name, on in parts if on) or "nothing"

    def save_model(self, request: HttpRequest, obj: Rule, form: forms.ModelForm, change: bool) -> None:
        before = rule_snapshot(Rule.objects.get(pk=obj.pk)) if change and obj.pk else None
        rule_save(rule=obj, by=_user(request), before=before)

    def delete_model(self, request: HttpRequest, obj: Rule) -> None:
        rule_delete(rule=obj, by=_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        for rule in queryset.order_by("pk"):
            rule_delete(rule=rule, by=_user(request))


@admin.register(ClassifierVersion)
class ClassifierVersionAdmin(admin.ModelAdmin):
    list_display = (
        "version",
        "source",
        "active",
        "precision_shown",
        "recall_shown",
        "threshold",
        "examples",
        "positives",
        "trained_at",
        "notes_excerpt",
    )
    list_filter = ("active", "source")
    ordering = ("-version",)
    actions = ("activate", "retrain_now")
    fields = (
        "version",
        "source",
        "active",
        "trained_at",
        "examples",
        "positives",
        "precision",
        "recall",
        "threshold",
        "notes",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The list actions need it; a version's own page is read-only (activating is an action).
        return obj is None and super().has_change_permission(request)

    @admin.display(description="precision", ordering="precision")
    def precision_shown(self, obj: ClassifierVersion) -> str:
        return "–" if obj.precision is None else f"{obj.precision:.3f}"

    @admin.display(description="recall", ordering="recall")
    def recall_shown(self, obj: ClassifierVersion) -> str:
        return "–" if obj.recall is None else f"{obj.recall:.3f}"

    @admin.display(description="notes")
    def notes_excerpt(self, obj: ClassifierVersion) -> str:
        return Truncator(obj.notes).chars(100)

    @admin.action(description="Activate the selected version", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[ClassifierVersion]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to activate.", messages.ERROR)
            return
        version = queryset.get()
        classifier_activate(version=version, by=_user(request), note="Activated by a moderator in admin.")
        self.message_user(request, f"Classifier v{version.version} is active.", messages.SUCCESS)

    @admin.action(description="Retrain now from moderators' decisions", permissions=["change"])
    def retrain_now(self, request: HttpRequest, queryset: QuerySet[ClassifierVersion]) -> None:
        transaction.on_commit(lambda: classifier_retrain_task.apply_async(kwargs={"force": True}))
        self.message_user(request, "Retraining started: the new version shows here when it is done.", messages.SUCCESS)


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "subject", "target", "outcome", "risk", "hits", "classifier")
    list_filter = ("outcome", "subject")
    list_select_related = ("item", "comment", "creator", "classifier")
    date_hierarchy = "at"
    ordering = ("-at", "-pk")
    show_full_result_count = False
    fields = ("at", "subject", "item", "comment", "creator", "outcome", "risk", "classifier", "checks_shown")
    readonly_fields = fields

    @admin.display(description="submission")
    def target(self, obj: Screening) -> str:
        return str(obj.item or obj.comment or obj.creator)

    @admin.display(description="hits")
    def hits(self, obj: Screening) -> str:
        return "; ".join(f"{check['check']}: {check['reason']}" for check in obj.checks if check["score"]) or "–"

    @admin.display(description="checks")
    def checks_shown(self, obj: Screening) -> str:
        return "\n".join(
            f"{check['check']} ({check['part']}): {check['outcome']} {check['score']:.2f} {check['reason']}".rstrip()
            for check in obj.checks
        )
