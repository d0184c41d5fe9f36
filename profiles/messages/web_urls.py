"""The inbox, email preferences, unsubscribe and the email trackers (``profiles.messages.views``)."""

from django.urls import path

from profiles.messages import views

urlpatterns = [
    path("inbox", views.inbox, name="inbox"),
    path("inbox/<id:message_id>", views.message_detail, name="inbox-message"),
    path("messages/preferences", views.preferences, name="message-preferences"),
    path("messages/unsubscribe/<str:token>", views.unsubscribe, name="message-unsubscribe"),
    path("m/<str:token>/o.gif", views.message_open, name="message-open"),
    path("m/<str:token>/c", views.message_click, name="message-click"),
]
