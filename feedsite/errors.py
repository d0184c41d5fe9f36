"""The project's one error type and the DRF handler that turns it into a response."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
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
