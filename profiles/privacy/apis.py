"""The shopper's own data: ``GET /api/v1/me/export`` and ``POST /api/v1/me/erase``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from feedsite.errors import ApplicationError
from feedsite.parsers import JSONParser
from profiles.models import Shopper
from profiles.privacy.erasure import shopper_erase
from profiles.privacy.export import shopper_export
from profiles.services import shopper_for_request


def own_shopper(request: Request) -> Shopper:
    """The requesting shopper, for acting on their whole history; a visitor who never wrote
    anything is an unsaved ``Shopper`` with nothing stored (nothing is created for them).

    An old visitor cookie, merged into an account at sign-in, names nobody
    (``profiles.services.shopper_for_request``): reading or erasing an account's data needs
    that account signed in. Checked again here, as this acts on everything the account holds.
    """
    shopper = shopper_for_request(request, create=False)
    if shopper.user_id is not None and request.user.pk != shopper.user_id:
        raise NotAuthenticated("Sign in to export or erase this account's data.")
    return shopper


class ErasureReportSerializer(serializers.Serializer):
    subject_ref = serializers.CharField(help_text="names nobody: the reference of the erasure record")
    stores = serializers.DictField(child=serializers.IntegerField(), help_text="what was deleted, per store")
    completed_at = serializers.DateTimeField()


class MeExportApi(APIView):
    """``GET /api/v1/me/export``: everything stored about the requesting shopper (``shopper_export``)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(shopper_export(shopper=own_shopper(request)))


class MeEraseApi(APIView):
    """``POST /api/v1/me/erase`` with ``{"confirm": "erase"}``: erase the requesting shopper everywhere.

    Answers the erasure report (counts per store). Signs the session out and drops the visitor
    cookie, so the next request starts as a new visitor.
    """

    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="EraseInput")
    class InputSerializer(serializers.Serializer):
        confirm = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={200: ErasureReportSerializer})
    def post(self, request: Request) -> Response:
        if not request.user.is_authenticated and settings.VISITOR_COOKIE in request.COOKIES:
            # DRF checks CSRF only for a signed-in session; a visitor known by cookie needs it too.
            SessionAuthentication().enforce_csrf(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["confirm"] != "erase":
            raise ApplicationError(
                'Erasing deletes all your data for good; send {"confirm": "erase"} to go ahead.',
                code="confirmation_required",
            )
        report = shopper_erase(shopper=own_shopper(request), requested_by="self-service")
        if request.user.is_authenticated:
            logout(request._request)
        response = Response(report.as_dict(), status=status.HTTP_200_OK)
        response.delete_cookie(settings.VISITOR_COOKIE, samesite="Lax")
        return response
