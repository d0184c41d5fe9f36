from django.urls import path

from ranking.apis import FeedApi

urlpatterns = [
    path("feed", FeedApi.as_view(), name="feed"),
]
