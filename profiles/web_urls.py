"""The shopper's account pages (``profiles.views``); the JSON API is in ``profiles.urls``."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from profiles import views

urlpatterns = [
    path("signin", views.SignInView.as_view(), name="signin"),
    path("signup", views.sign_up, name="signup"),
    path("signout", LogoutView.as_view(), name="signout"),
    path("welcome", views.welcome, name="welcome"),
]
