"""``/media/<path>``: local media, mounted by ``feedsite.urls`` only when the default storage is local."""

from django.urls import path

from content.media.serve import media_serve

urlpatterns = [
    path("<path:path>", media_serve, name="media-file"),
]
