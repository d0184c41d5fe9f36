"""The feed's HTML pages (``ranking.views``, the product page too); the feed API is in ``ranking.urls``."""

from django.urls import path

from ranking import views

urlpatterns = [
    path("", views.feed, name="feed-page"),
    path("c/<id:item_id>", views.shared_card, name="card"),
    path("search", views.search, name="search-page"),
    path("p/<id:product_id>", views.product, name="product"),
]
