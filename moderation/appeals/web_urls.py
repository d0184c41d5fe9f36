"""The studio's appeal page (``moderation.appeals.views``), beside the studio's own pages."""

from django.urls import path

from moderation.appeals import views

urlpatterns = [
    path("studio/posts/<id:item_id>/appeal", views.appeal, name="studio-appeal"),
]
