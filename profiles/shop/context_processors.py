"""``shopper_page``: what every shopper page's header and script need, computed only if used.

A context processor (rather than each view) because the product page belongs to ``content``,
which must not import ``profiles``; in the shop's room because it counts the cart; lazy, so the
admin's templates, which never read it, cost nothing. A page is a read: it creates no visitor shopper.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from profiles.models import Shopper
from profiles.services import shopper_for_request
from profiles.shop.models import CartLine

# What the tracker does unless a page says otherwise (tests shorten the times).
TRACKER_DEFAULTS = {"impressionMs": 1000, "flushMs": 4000, "batchSize": 20}


def consent_state(shopper: Shopper) -> str:
    """``granted`` / ``refused`` / ``undecided``. Undecided personalizes (the model's default is on)
    and shows the banner."""
    if shopper.consent_updated_at is None:
        return "undecided"
    return "granted" if shopper.personalization else "refused"


def page_state(request: HttpRequest) -> dict[str, Any]:
    """The shopper, their cart count and consent, and ``data`` for the page script; 2-3 queries."""
    shopper = shopper_for_request(request, create=False)
    cart_count = 0
    if shopper.pk is not None:
        cart_count = CartLine.objects.filter(cart__shopper=shopper).aggregate(n=Sum("quantity"))["n"] or 0
    user = request.user
    signed_in = bool(user.is_authenticated)
    return {
        "shopper": shopper,
        "cart_count": cart_count,
        "consent": consent_state(shopper),
        "data": {
            "consent": consent_state(shopper),
            "signedIn": signed_in,
            "username": user.get_username() if signed_in else "",
            "cartCount": cart_count,
            "tracker": TRACKER_DEFAULTS,
        },
    }


def shopper_page(request: HttpRequest) -> dict[str, Any]:
    return {"shopper_page": SimpleLazyObject(lambda: page_state(request))}
