"""The report API: a shopper (signed in or an anonymous visitor) reports an item or a comment.

``POST /api/v1/items/<id>/report`` and ``POST /api/v1/comments/<id>/report`` with
``{"reason": "spam"|"offensive"|"counterfeit"|"misleading"|"other", "note": "…"}`` (the note is
optional, at most 500 characters, and required with ``other``). A new report answers 201
``{"id", "reason", "status"}``; the same shopper's report of the same target again answers 200 with
the first one. Errors (the error shape): 404 for a target that is not published / visible, 400 for
a bad body, ``note_required`` or ``own_content``, 429 past the ``reports`` limit.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from feedsite.errors import NotFound
from moderation.models import Report
from moderation.reports import selectors
from moderation.reports.services import NOTE_MAX, report_create
from profiles.authentication import ShopperTokenAuthentication, VisitorSessionAuthentication
from profiles.services import shopper_for_request


@extend_schema_serializer(component_name="ReportInput")
class ReportInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX, default="", help_text="required with `other`"
    )


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    status = serializers.ChoiceField(choices=Report.Status.choices, help_text="`open` until a moderator decides")


def report_json(report: Report) -> dict[str, Any]:
    return {"id": report.pk, "reason": report.reason, "status": report.status}


class _ReportApi(APIView):
    # The token first: its ``WWW-Authenticate`` challenge makes a refused authentication a 401;
    # an anonymous visitor's session needs the CSRF token like a signed-in one.
    authentication_classes = [ShopperTokenAuthentication, VisitorSessionAuthentication]
    throttle_scope = "reports"

    def _answer(self, request: Request, **target: Any) -> Response:
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report, created = report_create(shopper=shopper_for_request(request), **target, **data.validated_data)
        return Response(report_json(report), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ItemReportApi(_ReportApi):
    """``POST /api/v1/items/<id>/report``: report a published post."""

    @extend_schema(request=ReportInputSerializer, responses={201: ReportSerializer, 200: ReportSerializer})
    def post(self, request: Request, item_id: int) -> Response:
        item = selectors.reportable_item(item_id=item_id)
        if item is None:
            raise NotFound("No published post has this id.")
        return self._answer(request, item=item)


class CommentReportApi(_ReportApi):
    """``POST /api/v1/comments/<id>/report``: report a visible comment."""

    @extend_schema(request=ReportInputSerializer, responses={201: ReportSerializer, 200: ReportSerializer})
    def post(self, request: Request, comment_id: int) -> Response:
        comment = selectors.reportable_comment(comment_id=comment_id)
        if comment is None:
            raise NotFound("No visible comment has this id.")
        return self._answer(request, comment=comment)
