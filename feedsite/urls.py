from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

from feedsite.health import healthz
from feedsite.limits import limited

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
    path("api/v1/", include("content.urls")),
    path("", include("ranking.web_urls")),
    path("", include("profiles.web_urls")),
    path("", include("profiles.shop.web_urls")),
    path("", include("profiles.privacy.web_urls")),
    path("", include("content.web_urls")),
]

if settings.DEBUG or not settings.STORAGES["default"]["BACKEND"].endswith("S3Storage"):
    # Local media in development and on the embedded default; S3/CDN serves it in production.
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
