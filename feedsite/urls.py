from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("ranking.urls")),
    path("api/v1/", include("profiles.urls")),
]

if settings.DEBUG or not settings.STORAGES["default"]["BACKEND"].endswith("S3Storage"):
    # Local media in development and on the embedded default; S3/CDN serves it in production.
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
