from django.urls import path

from profiles.shop.apis import CartApi, CartLineApi, CartLinesApi, StockAlertApi

urlpatterns = [
    path("cart", CartApi.as_view(), name="cart"),
    path("cart/lines", CartLinesApi.as_view(), name="cart-lines"),
    path("cart/lines/<id:product_id>", CartLineApi.as_view(), name="cart-line"),
    path("products/<id:product_id>/stock-alert", StockAlertApi.as_view(), name="stock-alert"),
]
