from django.urls import path

from profiles.events.apis import EventsApi

urlpatterns = [
    path("events", EventsApi.as_view(), name="events"),
]
