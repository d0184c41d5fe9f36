"""``/api/docs/``: the API's schema drawn by Swagger UI."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI's files come from our static files (drf-spectacular-sidecar: no CDN), its script
    is a file of its own (``?script``) and its page has no inline script or style, so that a strict
    Content-Security-Policy holds."""

    template_name = "api/docs.html"
    url_name = "api-schema"
