"""Admin actions for a shopper's data: export as a JSON download, and erasure everywhere.

Added to ``ShopperAdmin`` (``profiles/admin.py``) by ``profiles.privacy.admin``. Both call the
services (``profiles.privacy.export``, ``profiles.privacy.erasure``). Exporting needs the "Can export
a shopper's data" permission; erasing the "Can delete shopper" one (the admin's own delete is
switched off for shoppers) and a confirmation page. ``ShopperAdmin`` answers both permissions.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from feedsite.errors import ApplicationError
from profiles.models import Shopper
from profiles.privacy.erasure import shopper_erase
from profiles.privacy.export import shopper_export

# An export reads every store of each shopper; more than this at once is a job, not a click.
MAX_EXPORT = 20
ERASE_PERMISSION = "profiles.delete_shopper"
ERASE_CONFIRMATION_TEMPLATE = "admin/profiles/shopper/erase_confirmation.html"


@admin.action(description="Export data (JSON download)", permissions=["export"])
def export_shopper_data(
    modeladmin: admin.ModelAdmin[Shopper], request: HttpRequest, queryset: QuerySet[Shopper]
) -> HttpResponse | None:
    shoppers = list(queryset.select_related("user").order_by("pk")[: MAX_EXPORT + 1])
    if len(shoppers) > MAX_EXPORT:
        modeladmin.message_user(request, f"Export at most {MAX_EXPORT} shoppers at a time.", messages.ERROR)
        return None
    try:
        exports = [shopper_export(shopper=shopper) for shopper in shoppers]
    except ApplicationError as error:
        modeladmin.message_user(request, error.message, messages.ERROR)
        return None
    body: Any = exports[0] if len(exports) == 1 else {"shoppers": exports}
    name = f"shopper-{shoppers[0].pk}" if len(shoppers) == 1 else f"shoppers-{len(shoppers)}"
    response = HttpResponse(json.dumps(body, cls=DjangoJSONEncoder, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}-export.json"'
    return response


@admin.action(description="Erase shopper (all their data, everywhere)", permissions=["erase"])
def erase_shoppers(
    modeladmin: admin.ModelAdmin[Shopper], request: HttpRequest, queryset: QuerySet[Shopper]
) -> HttpResponse | None:
    """Ask for confirmation first; on the confirmed POST erase each selected shopper."""
    if not request.user.has_perm(ERASE_PERMISSION):
        modeladmin.message_user(request, "Erasing shoppers needs the “Can delete shopper” permission.", messages.ERROR)
        return None
    if request.POST.get("post") != "yes":
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": "Erase shoppers: are you sure?",
            "opts": modeladmin.model._meta,
            "queryset": queryset.select_related("user"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "erase_shoppers",
            "media": modeladmin.media,
        }
        request.current_app = modeladmin.admin_site.name
        return TemplateResponse(request, ERASE_CONFIRMATION_TEMPLATE, context)
    requested_by = f"admin:{request.user.get_username()}"
    erased = 0
    for shopper in queryset.order_by("pk"):
        try:
            shopper_erase(shopper=shopper, requested_by=requested_by)
        except ApplicationError as error:
            modeladmin.message_user(request, f"Shopper {shopper.pk} was not erased: {error.message}", messages.ERROR)
        else:
            erased += 1
    if erased:
        # Counted, not named: the names are what was just erased.
        modeladmin.message_user(request, f"Erased {erased} shopper(s); each has an erasure record.", messages.SUCCESS)
    return None
