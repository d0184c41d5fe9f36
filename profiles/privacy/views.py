"""The privacy page: the personalization choice, the data export and the erasure (the last two through the API)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from profiles.forms import ConsentForm
from profiles.messages.selectors import preference_of
from profiles.services import consent_set, shopper_for_request


@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def privacy(request: HttpRequest) -> HttpResponseBase:
    """The personalization choice, the data export and the erasure (the last two through the API)."""
    if request.method == "POST":
        shopper = shopper_for_request(request)
        form = ConsentForm(request.POST)
        if form.is_valid():
            on = form.cleaned_data["personalization"]
            consent_set(shopper=shopper, personalization=on, source="privacy_page")
            messages.success(request, "Personalization is on." if on else "Personalization is off.")
        return redirect("privacy")
    preference = None
    if request.user.is_authenticated:
        preference = preference_of(shopper=shopper_for_request(request, create=False))
    return render(request, "account/privacy.html", {"message_preference": preference})
