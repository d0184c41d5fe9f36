"""The project's URLs plus one page that fails, to see the 500 page a shopper gets."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from feedsite.urls import handler404, handler500
from feedsite.urls import urlpatterns as project_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom", boom), *project_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
