from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView

from feedsite.api_docs import DocsView
from feedsite.converters import IdConverter
from feedsite.errors import api_not_found
from feedsite.health import healthz
from feedsite.limits import limited

# Before the apps' URLs are included: they use it.
register_converter(IdConverter, "id")

# Django's error views, or the API's error shape for a path under /api/.
handler404 = "feedsite.errors.page_not_found"
handler500 = "feedsite.errors.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    # The admin's login counts against the same sign-in limit as /signin.
    path("admin/login/", limited("signin")(admin.site.login)),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("ranking.urls")),
    path("api/v1/", include("profiles.urls")),
    path("api/v1/", include("profiles.events.urls")),
    path("api/v1/", include("profiles.shop.urls")),
    path("api/v1/", include("profiles.privacy.urls")),
    path("api/v1/", include("profiles.dashboard.urls")),
    path("api/v1/", include("profiles.creators.urls")),
    path("api/v1/", include("content.urls")),
    path("api/v1/", include("content.studio.urls")),
    path("api/v1/", include("moderation.reports.urls")),
    path("api/v1/", include("moderation.appeals.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(), name="api-docs"),
    # Any other URL under /api/ (a DEBUG process too): a 404 in the error shape, not an HTML page.
    re_path(r"^api/", api_not_found),
    path("", include("ranking.web_urls")),
    path("", include("profiles.web_urls")),
    path("", include("profiles.shop.web_urls")),
    path("", include("profiles.privacy.web_urls")),
    path("", include("profiles.dashboard.web_urls")),
    path("", include("profiles.account.web_urls")),
    path("", include("profiles.messages.web_urls")),
    path("", include("profiles.creators.web_urls")),
    path("", include("content.studio.web_urls")),
    path("", include("moderation.appeals.web_urls")),
]

if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    # Local media (development, the embedded default), only as sniffed media; S3/CDN serves it otherwise.
    urlpatterns.append(path("media/", include("content.media.urls")))
