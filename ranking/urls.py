from django.urls import path

from ranking.apis import FeedApi, SearchApi

urlpatterns = [
    path("feed", FeedApi.as_view(), name="feed"),
    path("search", SearchApi.as_view(), name="search"),
]
