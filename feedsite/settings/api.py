"""Django REST framework."""

REST_FRAMEWORK = {
    # The token first: DRF answers a failed or missing authentication with the first class's
    # ``WWW-Authenticate`` challenge and 401; a session class has none, which made it 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "profiles.authentication.ShopperTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "feedsite.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# DRF's parsers, with a JSON body nested too deeply a 400 rather than a server error.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "feedsite.parsers.JSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
# The OpenAPI schema (/api/schema/) is generated from the API views; nothing of it runs per request.
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "feedsite.schema.AutoSchema"

SPECTACULAR_SETTINGS = {
    "TITLE": "feedsite API",
    "DESCRIPTION": (
        "The shopping feed's JSON API. Every error answers "
        '`{"error": {"code", "message", "extra"}}` with a 4xx or 5xx status.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents the error shape for the statuses any API request may answer.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "feedsite.schema.add_error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # feedsite.converters.IdConverter
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
}

# Request bodies (feedsite.limits): an API view accepts API_BODY_MAX_BYTES unless it declares its
# own ``max_body_bytes`` (the events batch: 256 KB); nothing under /api/ accepts more than
# API_BODY_CEILING_BYTES, and nothing elsewhere more than REQUEST_BODY_MAX_BYTES (admin's media
# uploads, streamed to disk). Larger bodies are refused with 413 before they are read.
API_BODY_MAX_BYTES = 64 * 1024
API_BODY_CEILING_BYTES = 256 * 1024
REQUEST_BODY_MAX_BYTES = 512 * 1024 * 1024
