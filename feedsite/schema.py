"""The OpenAPI schema of the API (drf-spectacular): what every operation shares.

Served at ``/api/schema/`` and drawn at ``/api/docs/`` (``feedsite.api_docs``). Generated from the
views' ``extend_schema`` declarations when asked for; nothing here runs on an API request.

- ``add_error_responses`` (a postprocessing hook): the error shape of ``feedsite.errors`` as the
  ``Error`` component, documented for every error status any operation may answer;
- ``AutoSchema``: the API's ways to say who is asking, the session (every ``SessionAuthentication``
  subclass) and the token; the hook adds an anonymous visitor's signed id (``X-Visitor-Id``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular import openapi
from rest_framework.authentication import BaseAuthentication, SessionAuthentication

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "extra"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "description": "machine-readable: `invalid`, `not_found`, …"},
                "message": {"type": "string", "description": "for a person"},
                "extra": {"type": "object", "description": "structured detail (`fields` for `invalid`)"},
            },
        }
    },
}

# What any API request may be answered besides its own responses.
ERROR_STATUSES = {
    "400": "The request is not valid (`extra.fields` names the fields for `invalid`).",
    "401": "The credentials sent are not valid, or the operation needs a signed-in account.",
    "403": "Not allowed (a session request without its CSRF token, say).",
    "404": "Nothing here: an unknown URL or id.",
    "405": "The URL does not take this method.",
    "406": "The `Accept` header asks for something other than JSON.",
    "413": "The body is larger than this endpoint accepts (`extra.max_bytes`).",
    "415": "The body is not JSON (or a form).",
    "429": "Too many requests.",
    "500": "A fault of the server, logged.",
    "503": "A store the operation needs is unavailable; try again shortly.",
}

VISITOR_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "X-Visitor-Id",
    "description": f"An anonymous visitor's signed id, as the `{settings.VISITOR_COOKIE}` cookie carries it.",
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, documenting the API's ``SessionAuthentication`` subclasses (CSRF variants
    of the same session cookie) as the session itself."""

    def get_auth(self) -> list[dict[str, list[str]]]:
        view = self.view
        authenticators: list[BaseAuthentication] = [
            SessionAuthentication() if isinstance(a, SessionAuthentication) else a for a in view.get_authenticators()
        ]
        view.get_authenticators = lambda: authenticators
        try:
            return super().get_auth()
        finally:
            del view.get_authenticators


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Adds the ``Error`` schema, one ``ErrorNNN`` response per error status, the visitor id scheme,
    and to every operation the error responses it does not declare itself."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components.setdefault("securitySchemes", {})["visitorId"] = VISITOR_SCHEME
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    components["responses"] = {
        f"Error{code}": {"description": description, "content": error} for code, description in ERROR_STATUSES.items()
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code in ERROR_STATUSES:
                responses.setdefault(code, {"$ref": f"#/components/responses/Error{code}"})
            security = operation.setdefault("security", [])
            if {"visitorId": []} not in security:
                security.insert(len(security) - ({} in security), {"visitorId": []})
    return result
