"""The privacy page (``profiles.privacy.views``); export and erasure are in ``profiles.privacy.urls``."""

from django.urls import path

from profiles.privacy import views

urlpatterns = [
    path("privacy", views.privacy, name="privacy"),
]
