"""The inbox, a message, email preferences, one-click unsubscribe, and the email's open and click trackers."""

from __future__ import annotations

import base64

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from profiles.messages import selectors, services, tokens
from profiles.messages.models import Message, MessageKind
from profiles.services import shopper_for_request

# The smallest transparent GIF (1×1): what an email's open pixel answers.
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
# The body a mail client POSTs to the List-Unsubscribe address (RFC 8058).
ONE_CLICK = "One-Click"


@require_GET
@never_cache
def inbox(request: HttpRequest) -> HttpResponse:
    """The shopper's messages, newest first, 20 a page (``?page=``); a read: creates no visitor."""
    shopper = shopper_for_request(request, create=False)
    page = selectors.inbox_page(shopper=shopper, number=request.GET.get("page"))
    return render(request, "messages/inbox.html", {"page": page, "section": "inbox"})


@require_GET
@never_cache
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    """One of the shopper's messages (anybody else's: 404); reading it marks it read and opened."""
    shopper = shopper_for_request(request, create=False)
    message = selectors.message_of(shopper=shopper, message_id=message_id)
    if message is None:
        raise Http404("No such message.")
    services.message_read(message=message)
    services.message_opened(message=message)
    link = reverse("message-click", args=[tokens.tracking_token(message.pk)])
    return render(request, "messages/message.html", {"message": message, "link": link, "section": "inbox"})


@require_POST
@login_required
def preferences(request: HttpRequest) -> HttpResponseBase:
    """The privacy page's email choices: a checkbox per kind, unchecked is off."""
    shopper = shopper_for_request(request)
    services.message_preference_set(
        shopper=shopper, emails={kind: request.POST.get(f"email_{kind}") == "on" for kind in MessageKind.values}
    )
    flash.success(request, "Your email choices are saved.")
    return redirect(reverse("privacy") + "#emails")


@csrf_exempt  # mail providers POST here (RFC 8058) without a CSRF token; the signed token is the key
@require_http_methods(["GET", "POST"])
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the link stops and a button (a link scanner's GET changes nothing). POST (the button,
    or a mail client's ``List-Unsubscribe=One-Click``): stops those emails; no sign-in needed."""
    try:
        shopper_id, kind = tokens.unsubscribe_read(token)
    except tokens.BadToken:
        return render(request, "messages/unsubscribe.html", {"invalid": True}, status=400)
    what = "emails of any kind" if kind == tokens.ALL_KINDS else f"{MessageKind(kind).label.lower()} emails"
    context = {"token": token, "kind": kind, "what": what, "done": False}
    if request.method == "POST":
        if not services.message_unsubscribe(shopper_id=shopper_id, kind=kind):
            return render(request, "messages/unsubscribe.html", {"invalid": True}, status=400)
        context["done"] = True
        if request.POST.get("List-Unsubscribe") == ONE_CLICK:
            return HttpResponse("Unsubscribed.", content_type="text/plain")
    return render(request, "messages/unsubscribe.html", context)


def _tracked(token: str) -> Message:
    try:
        message_id = tokens.tracking_read(token)
    except tokens.BadToken as exc:
        raise Http404("No such message.") from exc
    message = Message.objects.select_related("shopper", "product").filter(pk=message_id).first()
    if message is None:
        raise Http404("No such message.")
    return message


@require_GET
@never_cache
def message_open(request: HttpRequest, token: str) -> HttpResponse:
    """The email's open pixel: records the open, answers a transparent 1×1 GIF."""
    services.message_opened(message=_tracked(token))
    return HttpResponse(PIXEL_GIF, content_type="image/gif")


@require_GET
@never_cache
def message_click(request: HttpRequest, token: str) -> HttpResponse:
    """The message's link: records the click, then redirects to the message's own target
    (``selectors.message_target``), never to an address the request names."""
    message = _tracked(token)
    services.message_clicked(message=message)
    return redirect(selectors.message_target(message))
