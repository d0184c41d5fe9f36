"""Admin for moderators: creators' standing (reputation, blocks) and the audit of their decisions.

Blocking and unblocking go through ``moderation.services`` (list actions that ask for a reason, and
"Add" for a creator who has no standing row yet), which records each decision; overriding the
reputation (or clearing an override) through ``moderation.reputation.services`` (list actions that
ask for a value and a reason, audited). Nothing here edits a standing in place or deletes one: a
deleted row would unblock the creator without a trace. A standing's page shows what the reputation
was computed from, step by step. The decisions are a log: read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from content.admin import adopt
from feedsite.admin import apply_each
from moderation.admin.overrides import Override, lines_html, override_rows
from moderation.models import CreatorDecision, CreatorStanding
from moderation.reputation import breakdown
from moderation.reputation.selectors import evidence_of
from moderation.reputation.services import creator_reputation_override
from moderation.services import creator_block, creator_unblock
from profiles.admin import ReadOnlyAdminMixin

DECISION_TEMPLATE = "admin/moderation/creatorstanding/decision.html"


@dataclass(frozen=True)
class Decision:
    action: str  # the admin action's name
    label: str
    service: Callable[..., CreatorStanding]  # keyword-only: creator, by, reason
    reason_required: bool
    done: str


DECISIONS = {
    "block": Decision("block_creators", "Block", creator_block, reason_required=True, done="blocked"),
    "unblock": Decision("unblock_creators", "Unblock", creator_unblock, reason_required=False, done="unblocked"),
}


OVERRIDES = {
    "set": Override(
        "override_reputations",
        "Override reputation",
        "reputation",
        clears=False,
        apply=lambda standing, value, by, reason: creator_reputation_override(
            creator=standing.creator, value=value, by=by, reason=reason
        ),
        rest="creators",
    ),
    "clear": Override(
        "clear_reputation_overrides",
        "Clear reputation override",
        "reputation",
        clears=True,
        apply=lambda standing, value, by, reason: creator_reputation_override(
            creator=standing.creator, value=None, by=by, reason=reason
        ),
        rest="creators",
    ),
}


class ServedFilter(admin.SimpleListFilter):
    title = "served"
    parameter_name = "served"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Served"), ("no", "Not served (blocked or below the reputation bar)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        kept_out = Q(blocked=True) | Q(reputation__lt=settings.FEED_MIN_CREATOR_REPUTATION)
        if self.value() == "yes":
            return queryset.exclude(kept_out)
        if self.value() == "no":
            return queryset.filter(kept_out)
        return queryset


class OverriddenFilter(admin.SimpleListFilter):
    title = "override"
    parameter_name = "overridden"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Overridden by a moderator"), ("no", "As computed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(override__isnull=self.value() == "no")
        return queryset


class BlockForm(ModelForm):
    """The "Add" page: blocks a creator who has no standing row yet (the others are blocked from the list)."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Recorded with the decision.")

    class Meta:
        model = CreatorStanding
        fields = ("creator", "reason")


@admin.register(CreatorStanding)
class CreatorStandingAdmin(admin.ModelAdmin):
    list_display = (
        "creator",
        "reputation_shown",
        "computed_shown",
        "evidence",
        "blocked",
        "reason_excerpt",
        "updated_by",
        "updated_at",
        "reputation_at",
    )
    list_filter = ("blocked", ServedFilter, OverriddenFilter)
    list_select_related = ("creator", "updated_by")
    search_fields = ("creator__handle", "creator__display_name")
    search_help_text = "Creator handle or name."
    # Worst first: the top of the list is what needs a moderator's eyes.
    ordering = ("reputation", "pk")
    autocomplete_fields = ("creator",)
    actions = ("block_creators", "unblock_creators", "override_reputations", "clear_reputation_overrides")
    fields = (
        "creator",
        "blocked",
        "reason",
        "updated_by",
        "updated_at",
        "reputation_shown",
        "computed_shown",
        "override_reason",
        "override_by",
        "override_at",
        "evidence",
        "formula",
        "reputation_at",
        "decisions",
    )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = BlockForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: CreatorStanding | None = None) -> Any:
        return self.fields if obj else BlockForm.Meta.fields

    def get_readonly_fields(self, request: HttpRequest, obj: CreatorStanding | None = None) -> Any:
        return self.fields if obj else ()

    def has_change_permission(self, request: HttpRequest, obj: CreatorStanding | None = None) -> bool:
        # The list actions need it; a standing's own page is read-only (a decision is an action).
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: CreatorStanding | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CreatorStanding, form: ModelForm, change: bool) -> None:
        adopt(obj, creator_block(creator=obj.creator, by=_user(request), reason=form.cleaned_data["reason"]))

    @admin.display(description="reputation", ordering="reputation")
    def reputation_shown(self, obj: CreatorStanding) -> str:
        return f"{obj.reputation:.2f}" + (" (overridden)" if obj.override is not None else "")

    @admin.display(description="computed", ordering="computed")
    def computed_shown(self, obj: CreatorStanding) -> str:
        return f"{obj.computed:.2f}"

    @admin.display(description="evidence")
    def evidence(self, obj: CreatorStanding) -> str:
        return (
            f"{obj.items_removed} of {obj.items_judged} items removed · "
            f"{obj.hides} hides in {obj.impressions} impressions · "
            f"{obj.upheld_reports} upheld reports · "
            f"{obj.likes} likes, {obj.purchases} purchases in {obj.views} views · {obj.account_age_days} days old"
        )

    @admin.display(description="how the reputation was computed")
    def formula(self, obj: CreatorStanding) -> str:
        return lines_html(breakdown(evidence_of(obj)))

    @admin.display(description="reason")
    def reason_excerpt(self, obj: CreatorStanding) -> str:
        return Truncator(obj.reason).chars(80)

    @admin.display(description="decisions")
    def decisions(self, obj: CreatorStanding) -> str:
        url = reverse("admin:moderation_creatordecision_changelist")
        return format_html(
            '<a href="{}?{}">All decisions about {}</a>', url, urlencode({"q": obj.creator.handle}), obj.creator
        )

    @admin.action(description="Block selected creators", permissions=["change"])
    def block_creators(self, request: HttpRequest, queryset: QuerySet[CreatorStanding]) -> HttpResponse | None:
        return self._decide(request, queryset, DECISIONS["block"])

    @admin.action(description="Unblock selected creators", permissions=["change"])
    def unblock_creators(self, request: HttpRequest, queryset: QuerySet[CreatorStanding]) -> HttpResponse | None:
        return self._decide(request, queryset, DECISIONS["unblock"])

    @admin.action(description="Override the reputation of selected creators", permissions=["change"])
    def override_reputations(self, request: HttpRequest, queryset: QuerySet[CreatorStanding]) -> HttpResponse | None:
        return override_rows(self, request, queryset.select_related("creator"), OVERRIDES["set"])

    @admin.action(description="Clear the reputation override of selected creators", permissions=["change"])
    def clear_reputation_overrides(
        self, request: HttpRequest, queryset: QuerySet[CreatorStanding]
    ) -> HttpResponse | None:
        return override_rows(self, request, queryset.select_related("creator"), OVERRIDES["clear"])

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[CreatorStanding], decision: Decision
    ) -> HttpResponse | None:
        """Ask for the reason first; on the confirmed POST decide for each creator on its own (one
        refusal, e.g. "already blocked", neither stops nor undoes the others)."""
        reason = request.POST.get("reason", "").strip()
        if request.POST.get("post") != "yes" or (decision.reason_required and not reason):
            return self._ask_reason(request, queryset, decision, missing=request.POST.get("post") == "yes")
        apply_each(
            self,
            request,
            queryset.select_related("creator").order_by("pk"),
            lambda standing: decision.service(creator=standing.creator, by=_user(request), reason=reason),
            done=lambda n: f"{n} creator(s) {decision.done}.",
            refusal=lambda standing, refused: refused.message,
            rest="creators",
        )
        return None

    def _ask_reason(
        self, request: HttpRequest, queryset: QuerySet[CreatorStanding], decision: Decision, *, missing: bool
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": f"{decision.label} creators",
            "opts": self.model._meta,
            "queryset": queryset.select_related("creator"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": decision.action,
            "decision": decision,
            "reason": request.POST.get("reason", ""),
            "missing": missing,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, DECISION_TEMPLATE, context)


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


@admin.register(CreatorDecision)
class CreatorDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "creator_handle", "creator", "action", "reason_excerpt", "by")
    list_filter = ("action",)
    list_select_related = ("creator", "by")
    search_fields = ("creator_handle",)
    search_help_text = "Creator handle (kept after the creator is gone)."
    date_hierarchy = "at"
    ordering = ("-pk",)
    show_full_result_count = False
    fields = ("at", "creator_handle", "creator", "action", "reason", "by")
    readonly_fields = fields

    @admin.display(description="reason")
    def reason_excerpt(self, obj: CreatorDecision) -> str:
        return Truncator(obj.reason).chars(80)
