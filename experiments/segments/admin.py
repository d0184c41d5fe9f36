"""Segments in the admin: the list per kind, a page per kind with charts and the tests that the
groups differ, and "Recompute now". Read-only: segments come from the recomputation."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from experiments.segments import tasks
from experiments.segments.models import Segment, SegmentKind, SegmentRun
from experiments.segments.payload import kind_payload, pairs_alike
from experiments.segments.selectors import kind_overview
from profiles.dashboard.views import chart_library_url

RECOMPUTE_PERMISSION = "segments.recompute_segments"
# Each kind's name in titles and links (the choices' labels explain; these fit a button).
SHORT = {SegmentKind.RFM: "RFM", SegmentKind.BEHAVIOUR: "Behaviour"}
VIEW_PERMISSION = "segments.view_segment"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:g}"
    return f"{text}{unit}"


def p_text(p: float | None) -> str:
    """A p-value as the page prints it: below 10⁻¹² the digits mean nothing (and scipy may give 0)."""
    if p is None:
        return "–"
    return "< 1e-12" if p < 1e-12 else f"{p:.3g}"


def _p_equation(p: float) -> str:
    text = p_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def defining_figures(segment: Segment) -> str:
    """The figures that define a segment, in a line."""
    figures = segment.figures or {}
    if not figures:
        return "–"
    if segment.kind == SegmentKind.RFM:
        return (
            f"median {_number(figures.get('recency_days'), ' d')} since active · "
            f"{_number(figures.get('active_days'))} active days · orders {_number(figures.get('orders'))} · "
            f"spend {_number(figures.get('spend'))}"
        )
    top = ", ".join(f"{entry['category']} {entry['share'] * 100:.0f} %" for entry in figures.get("top", [])[:3])
    return f"{top}; {_percent(figures.get('bought'))} bought"


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "size", "share", "figures_line", "audiences", "computed_at")
    list_filter = ("kind",)
    search_fields = ("name", "key")
    ordering = ("kind", "-size")
    fields = ("kind", "key", "name", "description", "size", "figures_line", "computed_at")
    readonly_fields = fields
    change_list_template = "admin/segments/segment/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Segment]:
        return super().get_queryset(request).annotate(audience_count=Count("experiments"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_recompute_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(RECOMPUTE_PERMISSION)

    @admin.display(description="share")
    def share(self, obj: Segment) -> str:
        return _percent((obj.figures or {}).get("share"))

    @admin.display(description="defining figures")
    def figures_line(self, obj: Segment) -> str:
        return defining_figures(obj)

    @admin.display(description="experiments using it", ordering="audience_count")
    def audiences(self, obj: Segment) -> int:
        return getattr(obj, "audience_count", 0)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        context = {
            "kinds": [(kind.value, SHORT[kind]) for kind in SegmentKind],
            "can_recompute": self.has_recompute_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def get_urls(self) -> list[Any]:
        site = self.admin_site
        return [
            path("kind/<slug:kind>/", site.admin_view(self.kind_view), name="segments_segment_kind"),
            path("recompute/", site.admin_view(self.recompute_view), name="segments_segment_recompute"),
            *super().get_urls(),
        ]

    def kind_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        """A kind's segments: sizes, defining figures and tests as tables, and charts of them."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if kind not in SegmentKind.values:
            raise Http404("No such kind of segments.")
        overview = kind_overview(kind)
        payload = kind_payload(overview)
        summary = overview.run.summary if overview.run is not None else {}
        context = {
            **self.admin_site.each_context(request),
            "title": f"{SHORT[SegmentKind(kind)]} segments",
            "opts": self.model._meta,
            "kind": overview.kind,
            "kind_label": SHORT[overview.kind],
            "other_kinds": [(k.value, SHORT[k]) for k in SegmentKind if k != overview.kind],
            "overview": overview,
            "rows": [
                (segment, defining_figures(segment), _percent(segment.figures.get("share")))
                for segment in overview.segments
            ],
            "summary": summary,
            "tests": [{**test, "p_text": p_text(test.get("p_value"))} for test in payload["tests"]],
            "alike": [{**pair, "p_text": p_text(pair.get("p_holm"))} for pair in pairs_alike(payload["pairs"])],
            "payload": payload,
            "chart_library": chart_library_url(),
            "can_recompute": self.has_recompute_permission(request),
        }
        return TemplateResponse(request, "admin/segments/kind.html", context)

    def recompute_view(self, request: HttpRequest) -> HttpResponse:
        """POST: queue a recomputation of one kind (``kind``) or both, then go back to the page."""
        if not self.has_recompute_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        kind = request.POST.get("kind", "")
        kinds = [kind] if kind in SegmentKind.values else None
        transaction.on_commit(lambda: tasks.recompute.delay(kinds))
        what = f"{SHORT[SegmentKind(kind)]} segments" if kinds else "Both kinds of segments"
        self.message_user(request, f"{what}: recomputation queued; the page shows it once it is done.")
        back = (
            reverse("admin:segments_segment_kind", args=[kind])
            if kinds
            else reverse("admin:segments_segment_changelist")
        )
        return HttpResponseRedirect(back)


@admin.register(SegmentRun)
class SegmentRunAdmin(admin.ModelAdmin):
    """The recomputations, newest first: when, as of when, over how many shoppers, the tests."""

    list_display = ("computed_at", "kind", "as_of", "shoppers", "tests_line")
    list_filter = ("kind",)
    fields = ("kind", "computed_at", "as_of", "shoppers", "tests_line")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="tests that the segments differ")
    def tests_line(self, obj: SegmentRun) -> str:
        tests = (obj.summary or {}).get("tests", [])
        if not tests:
            return (obj.summary or {}).get("skipped", "–")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}: {}</li>",
                ((test["name"], test.get("skipped") or _p_equation(test["p_value"])) for test in tests),
            ),
        )
