"""The KPI dashboard in the admin: the changelist of the daily rollup (``/admin/kpis/kpiday/``) is the
dashboard, so the admin index links it for whoever may see it, and no URL outside the admin is needed.

Who sees it: staff who may view experiments (``experiments.view_experiment``: marketers, admins),
or who were given ``kpis.view_kpiday`` itself. Nobody edits the rows: only the rollup writes them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone

from experiments.kpis import page
from experiments.kpis.models import KpiDay
from experiments.kpis.selectors import DEFAULT_DAYS, PERIODS, dashboard_span, kpi_dashboard
from experiments.kpis.services import kpi_days_refresh
from profiles.dashboard.views import chart_library_url

VIEW_PERMISSIONS = ("experiments.view_experiment", "kpis.view_kpiday")
TEMPLATE = "admin/kpis/dashboard.html"


def may_view(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and user.is_staff and any(user.has_perm(name) for name in VIEW_PERMISSIONS)


def period_days(raw: str | None) -> tuple[int, str]:
    """The ``days`` parameter: one of ``PERIODS``; the default with an error for anything else."""
    if raw in (None, ""):
        return DEFAULT_DAYS, ""
    if raw in {str(n) for n in PERIODS}:
        return int(raw), ""
    shown = ", ".join(str(n) for n in PERIODS)
    return DEFAULT_DAYS, f"The period is {shown} days; showing the last {DEFAULT_DAYS} days instead."


@admin.register(KpiDay)
class KpiDayAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_view(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        # The dashboard only: a row has no page of its own.
        return [path("", self.admin_site.admin_view(self.changelist_view), name="kpis_kpiday_changelist")]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """``?days=7|30|90``: the period's days read from the rollup, after counting any day of it
        (or of the period before) that is missing or stale (``services.kpi_days_refresh``)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        days, error = period_days(request.GET.get("days"))
        now = timezone.now()
        first, today = dashboard_span(days=days, now=now)
        kpi_days_refresh(first=first, last=today, now=now)
        dashboard = kpi_dashboard(days=days, now=now)
        context = {
            **self.admin_site.each_context(request),
            "title": "Feed KPIs",
            "subtitle": page.days_label(dashboard.first, dashboard.last),
            "opts": self.model._meta,
            # A changelist's context names its form of bulk actions: the dashboard has none.
            "action_form": None,
            "periods": PERIODS,
            "error": error,
            "chart_library": chart_library_url(),
            **page.context(dashboard),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, TEMPLATE, context, status=400 if error else 200)
