"""What the queue's, the items' and the comments' admin decisions share: the reason code and note a
moderator gives, asked on an intermediate page before a list action decides each selected row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from feedsite.admin import apply_each
from feedsite.errors import ApplicationError
from moderation.models import ReasonCode
from moderation.queue.decisions import NOTE_MAX, Decision

T = TypeVar("T")

TEMPLATE = "admin/moderation/decide.html"
REVIEW_PERMISSION = "moderation.review_case"


class ReasonForm(forms.Form):
    """A decision's reason code and note (the note is what the creator reads after the label)."""

    reason_code = forms.ChoiceField(choices=ReasonCode.choices, label="Reason")
    note = forms.CharField(
        required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), label="Note"
    )


def can_review(request: HttpRequest) -> bool:
    return request.user.has_perm(REVIEW_PERMISSION)


def moderator(request: HttpRequest) -> User:
    """The signed-in moderator (the admin's views are for signed-in staff only)."""
    assert isinstance(request.user, User)
    return request.user


def ask_then_decide(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    queryset: QuerySet[T],  # type: ignore[type-var]
    *,
    decision: Decision,
    action: str,
    act: Callable[[T, str, str], object],
    done: Callable[[int], str],
    refusal: Callable[[T, ApplicationError], str],
    rest: str,
) -> HttpResponse | None:
    """A list action's two steps: ask for the reason code and note (changing nothing), then, on the
    confirmed POST with a valid form, ``act(row, reason_code, note)`` for each row on its own
    (``feedsite.admin.apply_each``: one refusal neither stops nor undoes the others)."""
    confirmed = request.POST.get("post") == "yes"
    initial = {"reason_code": ReasonCode.OK if not decision.against else ""}
    form = ReasonForm(request.POST if confirmed else None, initial=initial)
    if not confirmed or not form.is_valid():
        context = {
            **model_admin.admin_site.each_context(request),
            "title": f"{decision.label}: reason and note",
            "opts": model_admin.model._meta,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": action,
            "decision": decision,
            "form": form,
            "media": model_admin.media,
        }
        request.current_app = model_admin.admin_site.name
        return TemplateResponse(request, TEMPLATE, context)
    code, note = form.cleaned_data["reason_code"], form.cleaned_data["note"]
    apply_each(
        model_admin,
        request,
        queryset.order_by("pk"),
        lambda row: act(row, code, note),
        done=done,
        refusal=refusal,
        rest=rest,
    )
    return None
