"""The events API, and the shopper's own data: export and erasure."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from feedsite.errors import ApplicationError
from profiles.authentication import BeaconSessionAuthentication
from profiles.events.ingest import events_ingest
from profiles.models import Shopper
from profiles.privacy import shopper_erase, shopper_export
from profiles.services import shopper_for_request

# 500 events × ~400 bytes, with room for long contexts.
MAX_BODY_BYTES = 256 * 1024


class PayloadTooLarge(ApplicationError):
    http_status = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class EventsApi(APIView):
    """``POST /api/v1/events`` with ``{"events": [...]}``.

    Answers ``{"accepted", "duplicates", "bots", "not_recorded", "rejected": [{"index", "reason", "detail"}]}``.
    The valid events of a batch are kept even when others in it are rejected.
    """

    authentication_classes = [BeaconSessionAuthentication, TokenAuthentication]

    def post(self, request: Request) -> Response:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY_BYTES:
            raise PayloadTooLarge(
                f"The body is {length} bytes; at most {MAX_BODY_BYTES} are accepted.",
                code="body_too_large",
                extra={"max_bytes": MAX_BODY_BYTES},
            )
        body = request.data
        if not isinstance(body, dict) or "events" not in body:
            raise ApplicationError('The body must be a JSON object {"events": [...]}.', code="invalid_batch")
        result = events_ingest(
            shopper=shopper_for_request(request),
            raw_events=body["events"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(result.as_dict(), status=status.HTTP_200_OK)


def own_shopper(request: Request) -> Shopper:
    """The requesting shopper, for acting on their whole history.

    An old visitor cookie still resolves to the account it was merged into; reading or erasing an
    account's data needs that account signed in, not only the cookie.
    """
    shopper = shopper_for_request(request)
    if shopper.user_id is not None and request.user.pk != shopper.user_id:
        raise NotAuthenticated("Sign in to export or erase this account's data.")
    return shopper


class MeExportApi(APIView):
    """``GET /api/v1/me/export``: everything stored about the requesting shopper (``shopper_export``)."""

    def get(self, request: Request) -> Response:
        return Response(shopper_export(shopper=own_shopper(request)))


class MeEraseApi(APIView):
    """``POST /api/v1/me/erase`` with ``{"confirm": "erase"}``: erase the requesting shopper everywhere.

    Answers the erasure report (counts per store). Signs the session out and drops the visitor
    cookie, so the next request starts as a new visitor.
    """

    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        confirm = serializers.CharField(required=False, allow_blank=True, default="")

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
