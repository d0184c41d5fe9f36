from django.urls import path

from profiles.apis import (
    CartApi,
    CartLineApi,
    CartLinesApi,
    ConsentApi,
    EventsApi,
    FollowApi,
    LikeApi,
    MeEraseApi,
    MeExportApi,
)

urlpatterns = [
    path("events", EventsApi.as_view(), name="events"),
    path("me/export", MeExportApi.as_view(), name="me-export"),
    path("me/erase", MeEraseApi.as_view(), name="me-erase"),
    path("me/consent", ConsentApi.as_view(), name="me-consent"),
    path("items/<int:item_id>/like", LikeApi.as_view(), name="item-like"),
    path("creators/<int:creator_id>/follow", FollowApi.as_view(), name="creator-follow"),
    path("cart", CartApi.as_view(), name="cart"),
    path("cart/lines", CartLinesApi.as_view(), name="cart-lines"),
    path("cart/lines/<int:product_id>", CartLineApi.as_view(), name="cart-line"),
]
