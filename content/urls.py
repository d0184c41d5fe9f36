from django.urls import path

from content.apis import CommentsApi

urlpatterns = [
    path("items/<id:item_id>/comments", CommentsApi.as_view(), name="item-comments"),
]
