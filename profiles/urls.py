from django.urls import path

from profiles.apis import EventsApi

urlpatterns = [
    path("events", EventsApi.as_view(), name="events"),
]
