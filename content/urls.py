from django.urls import include, path

from content.apis import CommentsApi

urlpatterns = [
    path("items/<id:item_id>/comments", CommentsApi.as_view(), name="item-comments"),
    path("", include("content.catalog.urls")),
]
