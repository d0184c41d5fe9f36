"""The shopper's account pages: sign in, sign up, onboarding.

Each view validates with a form, calls a service or a selector, and renders. The header's state
(cart count, consent, account) comes from the ``profiles.shop.context_processors.shopper_page``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from content.models import Tag
from content.selectors import onboarding_tags
from feedsite.limits import limited
from profiles.forms import InterestsForm, SignInForm, SignUpForm
from profiles.services import (
    account_create,
    interests_set,
    shopper_for_request,
    shopper_for_user,
    shopper_merge_visitor,
)

# Topic chips offered at onboarding next to the top-level categories: a screenful on a phone.
ONBOARDING_TOPICS = 16


def next_url(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return wanted
    return default


# ---- accounts ----------------------------------------------------------------------------------


@method_decorator(limited("signin"), name="dispatch")
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
@limited("signup")
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(next_url(request, "/"))
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
        return redirect(next_url(request, default))
    context = {"form": form, "next": next_url(request, "")}
    return render(request, "account/signup.html", context)


@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest) -> HttpResponse:
    """Onboarding: pick interests among categories and topics (none is fine: "skip")."""
    shopper = shopper_for_request(request, create=request.method == "POST")
    tags = onboarding_tags(topics=ONBOARDING_TOPICS)
    form = InterestsForm(request.POST or None, choices=Tag.objects.filter(pk__in=[tag.pk for tag in tags]))
    if request.method == "POST" and form.is_valid():
        chosen = [] if "skip" in request.POST else list(form.cleaned_data["tags"])
        interests_set(shopper=shopper, tags=chosen)
        return redirect(next_url(request, "/"))
    picked = set(shopper.interests.values_list("tag_id", flat=True)) if shopper.pk is not None else set()
    context = {
        "categories": [tag for tag in tags if tag.kind == Tag.Kind.CATEGORY],
        "topics": [tag for tag in tags if tag.kind != Tag.Kind.CATEGORY],
        "picked": picked,
        "next": next_url(request, "/"),
    }
    return render(request, "account/welcome.html", context)
