"""The shop's HTML pages: the cart, checkout (payment simulated) and an order."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from content.models import Product
from feedsite.errors import ApplicationError
from profiles.models import Shopper
from profiles.services import shopper_for_request
from profiles.shop.cart import cart_line_add, cart_line_remove, cart_line_set, cart_summary
from profiles.shop.checkout import order_place
from profiles.shop.forms import CartLineForm, CheckoutForm
from profiles.shop.models import Order
from profiles.views import next_url


def _cart_action(shopper: Shopper, form: Form) -> str:
    """Apply a cart form; returns what to tell the shopper."""
    data = form.cleaned_data
    product = Product.objects.filter(pk=data["product"]).first()
    if product is None:
        raise ApplicationError("This product is no longer sold.", code="not_found")
    quantity = data.get("quantity")
    if data["action"] == "add":
        cart_line_add(shopper=shopper, product=product, quantity=quantity or 1)
        return f"Added {product.title} to your cart."
    if data["action"] == "set" and quantity:
        cart_line_set(shopper=shopper, product=product, quantity=quantity)
        return f"Updated {product.title}."
    cart_line_remove(shopper=shopper, product=product)
    return f"Removed {product.title}."


@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def cart_page(request: HttpRequest) -> HttpResponse:
    shopper = shopper_for_request(request, create=request.method == "POST")
    if request.method == "POST":
        form = CartLineForm(request.POST)
        if not form.is_valid():
            messages.error(request, "That change to your cart was not understood.")
        else:
            try:
                messages.success(request, _cart_action(shopper, form))
            except ApplicationError as error:
                messages.error(request, error.message)
        return redirect(next_url(request, reverse("cart-page")))
    context = {"cart": cart_summary(shopper=shopper), "quantities": range(1, settings.CART_LINE_MAX_QUANTITY + 1)}
    return render(request, "shop/cart.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    """Simulated payment: the order, stock and events are real; no money moves."""
    shopper = shopper_for_request(request)
    name = request.user.get_full_name() if isinstance(request.user, User) else ""
    form = CheckoutForm(request.POST or None, initial={"shipping_name": name})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            order = order_place(
                shopper=shopper,
                shipping_name=form.cleaned_data["shipping_name"],
                shipping_address=form.cleaned_data["shipping_address"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            return redirect("order", number=order.number)
    cart = cart_summary(shopper=shopper)
    if not cart.lines and status == 200:
        messages.info(request, "Your cart is empty.")
        return redirect("cart-page")
    context = {"form": form, "cart": cart}
    return render(request, "shop/checkout.html", context, status=status)


@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    shopper = shopper_for_request(request)
    order = Order.objects.filter(number=number, shopper=shopper).prefetch_related("lines").first()
    if order is None:
        raise Http404("No such order.")
    return render(request, "shop/order.html", {"order": order})
