"""The studio's pages (``content.studio.views``); its JSON API is in ``content.studio.urls``."""

from django.urls import path

from content.studio import views

urlpatterns = [
    path("studio/", views.studio, name="studio"),
    path("studio/new", views.post_new, name="studio-new"),
    path("studio/profile", views.profile, name="studio-profile"),
    path("studio/posts/<id:item_id>/edit", views.post_edit, name="studio-edit"),
    path("studio/posts/<id:item_id>/delete", views.post_delete, name="studio-delete"),
    path("studio/posts/<id:item_id>/retry", views.post_retry, name="studio-retry"),
]
