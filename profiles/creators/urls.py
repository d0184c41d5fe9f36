from django.urls import path

from profiles.creators.apis import CreatorApi

urlpatterns = [
    path("creators/<slug:handle>", CreatorApi.as_view(), name="creator-api"),
]
