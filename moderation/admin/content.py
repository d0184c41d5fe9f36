"""Content's item and comment admins, with their review decisions taken as a moderator's decisions.

Content cannot import moderation, so moderation replaces its registrations: the same pages, but
publish / reject / remove (items) and show / hide / remove (comments) ask for a reason code and a
note and go through ``moderation.queue.decisions``, which closes the target's open case, settles
its reports and writes the audit log. They need ``moderation.review_case``; the steps that are not
decisions (send to review, retry processing) keep needing ``change``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html, format_html_join

from content.admin.comments import CommentAdmin
from content.admin.items import REVIEW_STEPS, ContentItemAdmin, _offered
from content.models import Comment, ContentItem
from feedsite.errors import ApplicationError
from moderation.admin.decide import ReasonForm, ask_then_decide, can_review, moderator
from moderation.models import ReasonCode
from moderation.queue.decisions import (
    APPROVE,
    HIDE,
    REJECT,
    REMOVE,
    Decision,
    comment_approve,
    comment_hide,
    comment_remove,
    item_approve,
    item_reject,
    item_remove,
)

# The item review steps that are decisions, with their services; the others stay content's.
ITEM_DECISIONS: dict[str, tuple[Decision, Callable[..., ContentItem]]] = {
    "publish": (APPROVE, item_approve),
    "reject": (REJECT, item_reject),
    "remove": (REMOVE, item_remove),
}

admin.site.unregister(ContentItem)
admin.site.unregister(Comment)


def _buttons(obj: ContentItem, names: Iterable[str]) -> str:
    steps = [(name, REVIEW_STEPS[name].label) for name in names if _offered(REVIEW_STEPS[name], obj.status)]
    if not steps:
        return "None: a removed item stays removed." if obj.status == ContentItem.Status.REMOVED else "None."
    return format_html_join(
        " ", '<button type="submit" name="_review_step" value="{}" class="button">{}</button>', steps
    )


# The decision actions override content's with a wider return type (the reason page): ``type: ignore[override]``.
@admin.register(ContentItem)
class ReviewedContentItemAdmin(ContentItemAdmin):
    def has_review_permission(self, request: HttpRequest) -> bool:
        return can_review(request)

    def get_readonly_fields(self, request: HttpRequest, obj: ContentItem | None = None) -> Any:
        return (*super().get_readonly_fields(request, obj), "steps")

    def get_fieldsets(self, request: HttpRequest, obj: ContentItem | None = None) -> Any:
        # A moderator gets the decisions with a reason and note; staff who may only change get the other steps.
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or can_review(request):
            return fieldsets
        return tuple(
            (name, {**options, "fields": tuple("steps" if f == "decide" else f for f in options["fields"])})
            for name, options in fieldsets
        )

    @admin.display(description="next step")
    def decide(self, obj: ContentItem) -> str:
        """The reason and note, then a button per step the workflow allows (the service checks again)."""
        buttons = _buttons(obj, REVIEW_STEPS)
        if not any(_offered(REVIEW_STEPS[name], obj.status) for name in ITEM_DECISIONS):
            return buttons
        form = ReasonForm(prefix="_review", initial={"reason_code": ReasonCode.OK})
        return format_html(
            '<p><label for="{}">Reason</label> {}</p>'
            '<p><label for="{}">Note for the creator</label><br>{}</p><p>{}</p>',
            form["reason_code"].id_for_label,
            form["reason_code"],
            form["note"].id_for_label,
            form["note"],
            buttons,
        )

    @admin.display(description="next step")
    def steps(self, obj: ContentItem) -> str:
        """For staff who may change items but not decide: the steps that are not decisions."""
        return _buttons(obj, [name for name in REVIEW_STEPS if name not in ITEM_DECISIONS])

    def response_change(self, request: HttpRequest, obj: ContentItem) -> HttpResponse:
        """After the form is saved, take the decision whose button was pressed, with its reason and note."""
        name = request.POST.get("_review_step", "")
        if name not in ITEM_DECISIONS:
            return super().response_change(request, obj)
        _, service = ITEM_DECISIONS[name]
        form = ReasonForm(request.POST, prefix="_review")
        try:
            if not can_review(request):
                raise ApplicationError("Deciding needs the permission to review cases.", code="permission_denied")
            if not form.is_valid():
                raise ApplicationError("Pick a reason (and keep the note short).", code="invalid")
            service(
                item=obj,
                by=moderator(request),
                reason_code=form.cleaned_data["reason_code"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as refused:
            self.message_user(request, f"{obj}: {refused.message}", messages.ERROR)
        else:
            self.message_user(request, f"{obj} {REVIEW_STEPS[name].done}.", messages.SUCCESS)
        return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=REVIEW_STEPS["publish"].label, permissions=["review"])
    def publish(self, request: HttpRequest, queryset: QuerySet[ContentItem]) -> HttpResponse | None:  # type: ignore[override]
        return self._decide(request, queryset, "publish")

    @admin.action(description=REVIEW_STEPS["reject"].label, permissions=["review"])
    def reject(self, request: HttpRequest, queryset: QuerySet[ContentItem]) -> HttpResponse | None:  # type: ignore[override]
        return self._decide(request, queryset, "reject")

    @admin.action(description=REVIEW_STEPS["remove"].label, permissions=["review"])
    def remove(self, request: HttpRequest, queryset: QuerySet[ContentItem]) -> HttpResponse | None:  # type: ignore[override]
        return self._decide(request, queryset, "remove")

    def _decide(self, request: HttpRequest, queryset: QuerySet[ContentItem], name: str) -> HttpResponse | None:
        decision, service = ITEM_DECISIONS[name]
        by = moderator(request)
        return ask_then_decide(
            self,
            request,
            queryset,
            decision=decision,
            action=name,
            act=lambda item, code, note: service(item=item, by=by, reason_code=code, note=note),
            done=lambda n: f"{n} item{'s' if n != 1 else ''} {REVIEW_STEPS[name].done}.",
            refusal=lambda item, refused: f"{item}: {refused.message}",
            rest="items",
        )


@admin.register(Comment)
class ReviewedCommentAdmin(CommentAdmin):
    actions = ("hide_comments", "show_comments", "remove_comments")  # type: ignore[assignment]  # one more

    def has_review_permission(self, request: HttpRequest) -> bool:
        return can_review(request)

    @admin.action(description="Hide selected comments", permissions=["review"])
    def hide_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> HttpResponse | None:  # type: ignore[override]
        return self._decide(request, queryset, HIDE, comment_hide, "hide_comments")

    @admin.action(description="Show selected comments", permissions=["review"])
    def show_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> HttpResponse | None:  # type: ignore[override]
        return self._decide(request, queryset, APPROVE, comment_approve, "show_comments")

    @admin.action(description="Remove selected comments", permissions=["review"])
    def remove_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> HttpResponse | None:
        return self._decide(request, queryset, REMOVE, comment_remove, "remove_comments")

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[Comment],
        decision: Decision,
        service: Callable[..., Comment],
        action: str,
    ) -> HttpResponse | None:
        by = moderator(request)
        done = "shown" if decision is APPROVE else decision.done
        return ask_then_decide(
            self,
            request,
            queryset,
            decision=decision,
            action=action,
            act=lambda comment, code, note: service(comment=comment, by=by, reason_code=code, note=note),
            done=lambda n: f"{n} comment{'s' if n != 1 else ''} {done}.",
            refusal=lambda comment, refused: f"{comment}: {refused.message}",
            rest="comments",
        )
