"""The shop's HTML pages (``profiles.shop.views``); the cart's JSON API is in ``profiles.shop.urls``."""

from django.urls import path

from profiles.shop import views

urlpatterns = [
    path("cart", views.cart_page, name="cart-page"),
    path("checkout", views.checkout, name="checkout"),
    path("orders/<slug:number>", views.order_detail, name="order"),
]
