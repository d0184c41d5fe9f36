"""The project's one error type, the DRF handler that turns it into a response, and the error views.

Every API error answers ``{"error": {"code", "message", "extra"}}``: DRF's exceptions through
``api_exception_handler``; unknown URLs under ``/api/`` (``api_not_found``), server errors there
(``server_error``) and refused bodies (``feedsite.bodies``) through ``error_response``. Outside
``/api/`` Django's error views render the site's ``templates/404.html`` and ``templates/500.html``
(the 500 page needs no database, request or context processor).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A refused action, with a message meant for the caller.

    ``code`` is machine-readable (``invalid_transition``, ``not_found``…), ``extra`` carries
    structured detail; ``http_status`` is only a hint for the API layer.
    """

    http_status: int = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, code: str = "invalid", extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class NotFound(ApplicationError):
    http_status = status.HTTP_404_NOT_FOUND

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message, code="not_found", extra=extra)


class PayloadTooLarge(ApplicationError):
    http_status = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            f"The body is larger than the {max_bytes} bytes this endpoint accepts.",
            code="body_too_large",
            extra={"max_bytes": max_bytes},
        )


class Forbidden(ApplicationError):
    http_status = status.HTTP_403_FORBIDDEN


class ServerError(ApplicationError):
    http_status = status.HTTP_500_INTERNAL_SERVER_ERROR


API_PREFIX = "/api/"


def error_response(error: ApplicationError) -> JsonResponse:
    """The error shape as a plain Django response, for what answers outside a DRF view."""
    body = {"code": error.code, "message": error.message, "extra": error.extra}
    return JsonResponse({"error": body}, status=error.http_status)


@csrf_exempt  # nothing to protect, and an unknown URL is a 404 whatever the method
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(NotFound("No API endpoint has this URL.", extra={"path": request.path}))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return error_response(Forbidden(f"CSRF check failed: {reason}", code="permission_denied"))
    return csrf.csrf_failure(request, reason)


def server_error(request: HttpRequest) -> HttpResponse:
    """An unhandled exception (already logged by Django as ``django.request``)."""
    if request.path.startswith(API_PREFIX):
        return error_response(ServerError("The server failed; it has been logged.", code="server_error"))
    return defaults.server_error(request)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """One shape for every API error: ``{"error": {"code", "message", "extra"}}``."""
    if isinstance(exc, ApplicationError):
        body = {"code": exc.code, "message": exc.message, "extra": exc.extra}
        return Response({"error": body}, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        body = {"code": "invalid", "message": "The request is not valid.", "extra": {"fields": detail}}
    else:
        message = detail.get("detail", str(exc)) if isinstance(detail, dict) else str(detail)
        body = {"code": getattr(exc, "default_code", "error"), "message": str(message), "extra": {}}
    response.data = {"error": body}
    return response
