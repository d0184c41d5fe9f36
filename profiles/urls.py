from django.urls import path

from profiles.apis import EventsApi, MeEraseApi, MeExportApi

urlpatterns = [
    path("events", EventsApi.as_view(), name="events"),
    path("me/export", MeExportApi.as_view(), name="me-export"),
    path("me/erase", MeEraseApi.as_view(), name="me-erase"),
]
