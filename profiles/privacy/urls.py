from django.urls import path

from profiles.privacy.apis import MeEraseApi, MeExportApi

urlpatterns = [
    path("me/export", MeExportApi.as_view(), name="me-export"),
    path("me/erase", MeEraseApi.as_view(), name="me-erase"),
]
