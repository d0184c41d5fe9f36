"""The review queue in admin: the ``Case`` changelist is the queue, a case's page is where it is reviewed.

The list shows open cases by priority (risk plus reports) then age, with bulk approve / reject /
remove. Opening a case claims it (``case_claim``); "Next case" claims the next one a moderator may
take (``case_next``); each decision goes through ``moderation.queue.decisions.case_decide``, which
refuses a case someone else holds. Every view and action needs ``moderation.review_case`` except
reading the list and a case, which ``view_case`` also allows. Nothing is edited or deleted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.timesince import timesince

from content.models import ContentItem
from feedsite.errors import ApplicationError
from moderation.admin.decide import ReasonForm, ask_then_decide, can_review, moderator
from moderation.models import Case, ReasonCode
from moderation.queue import selectors
from moderation.queue.decisions import APPROVE, DECISIONS, REJECT, REMOVE, Decision, case_decide, offered
from moderation.queue.services import case_claim, case_next, case_release

REVIEW_TEMPLATE = "admin/moderation/case/review.html"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")
# The shortcuts that are not decisions (the decisions carry their own, ``Decision.key``).
NEXT_KEY = "n"


class StateFilter(admin.SimpleListFilter):
    """Open cases unless asked otherwise: the list is the queue."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Open"), ("closed", "Closed"), ("all", "All")]

    def value(self) -> str:
        return super().value() or "open"

    def choices(self, changelist: ChangeList) -> Any:
        # No "All" entry of its own: "all" is one of the lookups, and no value means "open".
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        if self.value() == "all":
            return queryset
        return queryset.filter(status=Case.Status.CLOSED if self.value() == "closed" else Case.Status.OPEN)


class ClaimFilter(admin.SimpleListFilter):
    title = "claimed"
    parameter_name = "claimed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("mine", "By me"), ("unclaimed", "Unclaimed"), ("others", "By others")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        now = timezone.now()
        if self.value() == "mine":
            return queryset.filter(claimed_by=moderator(request), claimed_until__gt=now)
        if self.value() == "unclaimed":
            return queryset.exclude(claimed_until__gt=now)
        if self.value() == "others":
            return queryset.filter(selectors.claimed_by_others(by=moderator(request)))
        return queryset


@dataclass(frozen=True)
class Preview:
    kind: str  # "image" or "video"
    src: str
    poster: str = ""


def previews(item: ContentItem, media: list[Any]) -> list[Preview]:
    """What to play or show of ``item``: each processed media file, else the item's own media file."""
    shown = [
        Preview(m.kind, m.file.url, m.poster.url if m.poster else "")
        for m in media
        if m.file  # an unprocessed original is private: nothing to show yet
    ]
    if shown or not item.media:
        if not shown and item.poster:
            return [Preview("image", item.poster.url)]
        return shown
    if item.media.name.lower().endswith(IMAGE_SUFFIXES):
        return [Preview("image", item.media.url)]
    return [Preview("video", item.media.url, item.poster.url if item.poster else "")]


def _thumbnail_url(item: ContentItem) -> str | None:
    if item.poster:
        return item.poster.url
    if item.media and item.media.name.lower().endswith(IMAGE_SUFFIXES):
        return item.media.url
    return None


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("target", "why", "priority_shown", "risk_shown", "reports", "age", "claimed")
    list_display_links = ("target",)
    list_filter = (StateFilter, "why", ClaimFilter)
    ordering = ("-priority", "opened_at", "pk")
    actions = ("approve_cases", "reject_cases", "remove_cases")
    list_per_page = 50
    show_full_result_count = False

    class Media:
        css = {"all": ["css/admin.css"]}  # no inline styles (Content-Security-Policy)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return selectors.queue()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a case changes only by decisions and claims

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or can_review(request)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return can_review(request)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("next/", wrap(self.next_view), name="moderation_case_next"),
            path("<int:case_id>/decide/", wrap(self.decide_view), name="moderation_case_decide"),
            path("<int:case_id>/release/", wrap(self.release_view), name="moderation_case_release"),
            *super().get_urls(),
        ]

    # The list

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {"title": "Review queue", **(extra_context or {})})

    @admin.display(description="target")
    def target(self, case: Case) -> str:
        if case.item is not None:
            url = _thumbnail_url(case.item)
            thumb = (
                format_html('<img src="{}" alt="" width="48" height="48" class="admin-thumbnail"> ', url) if url else ""
            )
            return format_html("{}{} · {}", thumb, case.item, Truncator(case.item.caption).chars(60))
        if case.comment is not None:
            return format_html("Comment #{}: {}", case.comment.pk, Truncator(case.comment.body).chars(60))
        return format_html("Creator @{}", case.creator.handle if case.creator else "?")

    @admin.display(description="priority", ordering="-priority")
    def priority_shown(self, case: Case) -> str:
        return f"{case.priority:.2f}"

    @admin.display(description="risk", ordering="risk")
    def risk_shown(self, case: Case) -> str:
        return f"{case.risk:.2f}"

    @admin.display(description="age", ordering="opened_at")
    def age(self, case: Case) -> str:
        return timesince(case.opened_at)

    @admin.display(description="claimed by")
    def claimed(self, case: Case) -> str:
        if case.claimed_by is None or case.claimed_until is None or case.claimed_until <= timezone.now():
            return "—"
        until = timezone.localtime(case.claimed_until).strftime("%H:%M")
        return f"{case.claimed_by.get_username()} until {until}"

    # Bulk decisions

    @admin.action(description="Approve selected cases", permissions=["review"])
    def approve_cases(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse | None:
        return self._bulk(request, queryset, APPROVE, "approve_cases")

    @admin.action(description="Reject selected cases", permissions=["review"])
    def reject_cases(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse | None:
        return self._bulk(request, queryset, REJECT, "reject_cases")

    @admin.action(description="Remove selected cases", permissions=["review"])
    def remove_cases(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse | None:
        return self._bulk(request, queryset, REMOVE, "remove_cases")

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Case], decision: Decision, action: str) -> Any:
        by = moderator(request)
        return ask_then_decide(
            self,
            request,
            queryset,
            decision=decision,
            action=action,
            act=lambda case, code, note: case_decide(
                case=case, by=by, decision=decision.name, reason_code=code, note=note
            ),
            done=lambda n: f"{n} case{'s' if n != 1 else ''} {decision.done}.",
            refusal=lambda case, refused: f"{case}: {refused.message}",
            rest="cases",
        )

    # The case page

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The review page. Opening it claims the case (or renews one's claim) for a moderator who
        may review; someone else's claim is said, and no decision is offered."""
        case = get_object_or_404(Case, pk=object_id)
        if not self.has_view_permission(request, case):
            raise PermissionDenied
        may_decide = False
        if can_review(request) and case.status == Case.Status.OPEN:
            try:
                case_claim(case=case, by=moderator(request))
            except ApplicationError as refused:
                self.message_user(request, refused.message, messages.WARNING)
            else:
                may_decide = True
        review = selectors.case_review(case_id=case.pk)
        decisions = offered(review.case) if may_decide else []
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review {review.case}",
            "opts": self.model._meta,
            "review": review,
            "previews": previews(review.item, review.media) if review.item is not None else [],
            "decisions": decisions,
            "form": ReasonForm(initial={"reason_code": ReasonCode.OK}),
            "can_review": can_review(request),
            "next_key": NEXT_KEY,
            "media": self.media,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, REVIEW_TEMPLATE, context)

    def next_view(self, request: HttpRequest) -> HttpResponse:
        """Claim the next case ``case_next`` gives (passing over ``?skip=<case id>``) and open it."""
        if not can_review(request):
            raise PermissionDenied
        skip = request.GET.get("skip", "")
        skipped = Case.objects.filter(pk=int(skip)).first() if skip.isdigit() else None
        case = case_next(by=moderator(request), skip=skipped)
        if case is None:
            self.message_user(request, "Nothing left in the queue for you.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:moderation_case_changelist"))
        return HttpResponseRedirect(reverse("admin:moderation_case_change", args=[case.pk]))

    def decide_view(self, request: HttpRequest, case_id: int) -> HttpResponse:
        """Take the posted decision on the case, then go on to the next case (or back, when refused)."""
        if not can_review(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return _decide(self, request, case_id)

    def release_view(self, request: HttpRequest, case_id: int) -> HttpResponse:
        if not can_review(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return _release(self, request, case_id)


def _decide(model_admin: CaseAdmin, request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    page = reverse("admin:moderation_case_change", args=[case.pk])
    form = ReasonForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items())
        model_admin.message_user(request, f"Nothing was decided: {errors}", messages.ERROR)
        return HttpResponseRedirect(page)
    decision = request.POST.get("decision", "")
    try:
        case_decide(
            case=case,
            by=moderator(request),
            decision=decision,
            reason_code=form.cleaned_data["reason_code"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as refused:
        model_admin.message_user(request, f"{case}: {refused.message}", messages.ERROR)
        return HttpResponseRedirect(page)
    model_admin.message_user(request, f"{case}: {DECISIONS[decision].done}.", messages.SUCCESS)
    return HttpResponseRedirect(f"{reverse('admin:moderation_case_next')}?skip={case.pk}")


def _release(model_admin: CaseAdmin, request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    try:
        case_release(case=case, by=moderator(request))
    except ApplicationError as refused:
        model_admin.message_user(request, refused.message, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:moderation_case_change", args=[case.pk]))
    model_admin.message_user(request, f"{case} released.", messages.SUCCESS)
    return HttpResponseRedirect(reverse("admin:moderation_case_changelist"))
