"""Django REST framework, and the rate limits of the whole site (``feedsite.limits``)."""

from django.core.exceptions import ImproperlyConfigured

from feedsite.settings.django import CONFIG

# Every limit, per shopper (``<scope>``: the account, else the visitor id) and per client address
# (``<scope>_address``, which a shared network's shoppers share: set generously). Each one can be
# changed or turned off from the environment: RATE_LIMIT_<SCOPE>=N/minute|off. README: "Rate limits".
THROTTLE_RATES: dict[str, str | None] = {
    # Reading the feed and a post's comments (the catalog API).
    "catalog": "300/minute",
    "catalog_address": "1200/minute",
    # The tracker's events, counted one by one: a returning tab sends up to 1,000 stored at once.
    "events": "3000/minute",
    "events_address": "30000/minute",
    # Searching (the header's suggestions ask as the shopper types, debounced).
    "search": "120/minute",
    "search_address": "600/minute",
    # Posting a comment.
    "comments": "10/minute",
    "comments_address": "30/minute",
    # Reporting a post or a comment.
    "reports": "20/hour",
    "reports_address": "60/hour",
    # A creator's uploads (the studio).
    "uploads": "30/hour",
    "uploads_address": "100/hour",
    # Merchants' catalog sync, counted per product row: ten full bulk calls a minute.
    "catalog_sync": "5000/minute",
    "catalog_sync_address": "20000/minute",
    # The sign-up and sign-in forms (POSTs); wrong passwords also lock a username out (AXES_*).
    "signup": "5/hour",
    "signup_address": "20/hour",
    "signin": "30/hour",
    "signin_address": "100/hour",
}
_unknown = set(CONFIG.rate_limits) - set(THROTTLE_RATES)
if _unknown:
    raise ImproperlyConfigured(f"RATE_LIMIT_* names no known limit: {sorted(_unknown)}; see README, Rate limits.")

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
    # A view names its scope (``throttle_scope``); views without one are not limited.
    "DEFAULT_THROTTLE_CLASSES": ["feedsite.limits.ScopedLimit"],
    "DEFAULT_THROTTLE_RATES": {**THROTTLE_RATES, **CONFIG.rate_limits},
    # Proxies in front that append the client's address to X-Forwarded-For; 0: the connecting
    # address is the client's (a header the client sent is never trusted).
    "NUM_PROXIES": CONFIG.num_proxies,
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
    # A content item's kind appears in the feed's cards and the studio's posts: one enum, one name.
    "ENUM_NAME_OVERRIDES": {
        "ContentKindEnum": "content.models.ContentItem.Kind",
        "ContentStatusEnum": "content.models.ContentItem.Status",
    },
    # feedsite.converters.IdConverter
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
}

# Request bodies (feedsite.bodies): an API view accepts API_BODY_MAX_BYTES unless it declares its
# own ``max_body_bytes`` (the events batch: 256 KB); nothing under /api/ accepts more than
# API_BODY_CEILING_BYTES, and nothing elsewhere more than REQUEST_BODY_MAX_BYTES (admin's media
# uploads, streamed to disk). Larger bodies are refused with 413 before they are read.
API_BODY_MAX_BYTES = 64 * 1024
API_BODY_CEILING_BYTES = 256 * 1024
REQUEST_BODY_MAX_BYTES = 512 * 1024 * 1024
