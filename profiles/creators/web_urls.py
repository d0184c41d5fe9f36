"""Creator pages (``profiles.creators.views``)."""

from django.urls import path

from profiles.creators import views

urlpatterns = [
    path("@<slug:handle>", views.creator, name="creator"),
    path("@<slug:handle>/follow", views.follow, name="creator-follow-form"),
]
