from django.urls import path

from profiles.apis import ConsentApi, FollowApi, LikeApi

urlpatterns = [
    path("me/consent", ConsentApi.as_view(), name="me-consent"),
    path("items/<id:item_id>/like", LikeApi.as_view(), name="item-like"),
    path("creators/<id:creator_id>/follow", FollowApi.as_view(), name="creator-follow"),
]
