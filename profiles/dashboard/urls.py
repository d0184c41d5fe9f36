from django.urls import path

from profiles.dashboard.apis import StudioStatsApi

urlpatterns = [
    path("studio/stats", StudioStatsApi.as_view(), name="studio-stats"),
]
