"""The shopper's HTML pages: sign in, sign up, onboarding, cart, checkout, orders, privacy.

Each view validates with a form, calls a service or a selector, and renders. The header's state
(cart count, consent, account) comes from the ``profiles.context_processors.shopper_page``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from content.models import Product, Tag
from content.selectors import onboarding_tags
from feedsite.errors import ApplicationError
from profiles.cart import cart_line_add, cart_line_remove, cart_line_set, cart_summary
from profiles.checkout import order_place
from profiles.forms import CartLineForm, CheckoutForm, ConsentForm, InterestsForm, SignInForm, SignUpForm
from profiles.models import Order, Shopper
from profiles.services import (
    account_create,
    consent_set,
    interests_set,
    shopper_for_request,
    shopper_for_user,
    shopper_merge_visitor,
)

# Topic chips offered at onboarding next to the top-level categories: a screenful on a phone.
ONBOARDING_TOPICS = 16


def _next_url(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return wanted
    return default


# ---- accounts ----------------------------------------------------------------------------------


class SignInView(LoginView):
    template_name = "account/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        visitor_id = getattr(self.request, "visitor_id", None)
        response = super().form_valid(form)
        if visitor_id is not None:
            shopper_merge_visitor(visitor_id=visitor_id, user=form.get_user())
        return response


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request, "/"))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = account_create(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            visitor_id=getattr(request, "visitor_id", None),
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}! Your account is ready.")
        onboarded = shopper_for_user(user=user).onboarded_at is not None
        default = "/" if onboarded else f"{reverse('welcome')}?next=/"
        return redirect(_next_url(request, default))
    context = {"form": form, "next": _next_url(request, "")}
    return render(request, "account/signup.html", context)


@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest) -> HttpResponse:
    """Onboarding: pick interests among categories and topics (none is fine: "skip")."""
    shopper = shopper_for_request(request)
    tags = onboarding_tags(topics=ONBOARDING_TOPICS)
    form = InterestsForm(request.POST or None, choices=Tag.objects.filter(pk__in=[tag.pk for tag in tags]))
    if request.method == "POST" and form.is_valid():
        chosen = [] if "skip" in request.POST else list(form.cleaned_data["tags"])
        interests_set(shopper=shopper, tags=chosen)
        return redirect(_next_url(request, "/"))
    picked = set(shopper.interests.values_list("tag_id", flat=True))
    context = {
        "categories": [tag for tag in tags if tag.kind == Tag.Kind.CATEGORY],
        "topics": [tag for tag in tags if tag.kind != Tag.Kind.CATEGORY],
        "picked": picked,
        "next": _next_url(request, "/"),
    }
    return render(request, "account/welcome.html", context)


# ---- cart, checkout, orders --------------------------------------------------------------------


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
    shopper = shopper_for_request(request)
    if request.method == "POST":
        form = CartLineForm(request.POST)
        if not form.is_valid():
            messages.error(request, "That change to your cart was not understood.")
        else:
            try:
                messages.success(request, _cart_action(shopper, form))
            except ApplicationError as error:
                messages.error(request, error.message)
        return redirect(_next_url(request, reverse("cart-page")))
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


# ---- privacy -----------------------------------------------------------------------------------


@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def privacy(request: HttpRequest) -> HttpResponseBase:
    """The personalization choice, the data export and the erasure (the last two through the API)."""
    shopper = shopper_for_request(request)
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            on = form.cleaned_data["personalization"]
            consent_set(shopper=shopper, personalization=on, source="privacy_page")
            messages.success(request, "Personalization is on." if on else "Personalization is off.")
        return redirect("privacy")
    return render(request, "account/privacy.html")
