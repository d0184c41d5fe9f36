"""The product page (``content.views``); the content API is in ``content.urls``."""

from django.urls import path

from content import views

urlpatterns = [
    path("p/<id:product_id>", views.product, name="product"),
]
