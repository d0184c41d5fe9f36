"""The account pages (``profiles.account.views``)."""

from django.urls import path

from profiles.account import views

urlpatterns = [
    path("orders", views.orders, name="orders"),
    path("liked", views.liked, name="liked"),
    path("following", views.following, name="following"),
]
