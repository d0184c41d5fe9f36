"""The override actions of the standing and trust lists: ask for a value and a reason, then call the service.

One flow for both (``override_rows``): the first POST of the list action renders a form
(``TEMPLATE``); the confirmed POST overrides (or clears) each selected row on its own through
``moderation.reputation.services``, which refuses without a reason and audits each override.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from feedsite.admin import apply_each

TEMPLATE = "admin/moderation/override.html"


@dataclass(frozen=True)
class Override:
    action: str  # the admin action's name
    label: str
    what: str  # "reputation" or "trust"
    clears: bool  # True: clear the override (no value asked)
    # Calls the service for one row: (row, value or None, moderator, reason).
    apply: Callable[[Any, float | None, User | None, str], object]
    rest: str  # what the rows are called in "n more … were left unchanged"


class OverrideForm(forms.Form):
    value = forms.FloatField(min_value=0.0, max_value=1.0, required=False, help_text="From 0 to 1.")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), help_text="Recorded in the audit log."
    )

    def __init__(self, *args: Any, clears: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if clears:
            del self.fields["value"]
        else:
            self.fields["value"].required = True


def override_rows(
    model_admin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any], override: Override
) -> HttpResponse | None:
    """The list action: the form until it is valid, then each row on its own (one refusal neither
    stops nor undoes the others)."""
    confirmed = request.POST.get("post") == "yes"
    form = OverrideForm(request.POST if confirmed else None, clears=override.clears)
    if not confirmed or not form.is_valid():
        context = {
            **model_admin.admin_site.each_context(request),
            "title": override.label,
            "opts": model_admin.model._meta,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": override.action,
            "override": override,
            "form": form,
            "media": model_admin.media,
        }
        request.current_app = model_admin.admin_site.name
        return TemplateResponse(request, TEMPLATE, context)
    value = None if override.clears else form.cleaned_data["value"]
    user = request.user if isinstance(request.user, User) else None
    verb = "cleared" if override.clears else f"set to {value:g}"
    apply_each(
        model_admin,
        request,
        queryset.order_by("pk"),
        lambda row: override.apply(row, value, user, form.cleaned_data["reason"]),
        done=lambda n: f"{override.what.capitalize()} override {verb} for {n} {override.rest}.",
        refusal=lambda row, refused: f"{row}: {refused.message}",
        rest=override.rest,
    )
    return None


def lines_html(lines: list[str]) -> SafeString:
    """A breakdown's lines, one per line, escaped."""
    return format_html_join("", "<div>{}</div>", ((line,) for line in lines))
