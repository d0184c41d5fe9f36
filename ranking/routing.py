"""Websocket routes of the ranking app (mounted by ``feedsite.asgi``)."""

from django.urls import path

from ranking.consumers import FeedConsumer

websocket_urlpatterns = [
    path("ws/feed/", FeedConsumer.as_asgi()),
]
