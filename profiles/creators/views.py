"""The creator page ``/@<handle>``: server-rendered, each post opens in the feed player (``/c/<id>``).

The follow button is a form posting to ``/@<handle>/follow`` (``follow``), which works without
JavaScript; with it, ``static/js/creator.js`` sends the follow API instead and the page stays.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from content.selectors import creators_servable, media_thumbnail
from feedsite.errors import ApplicationError
from profiles.creators.selectors import creator_page
from profiles.services import follow_create, follow_delete, shopper_for_request
from profiles.views import next_url

# Posts per page of the grid: four rows of three on a phone.
CREATOR_PAGE_POSTS = 12


@require_GET
@ensure_csrf_cookie
def creator(request: HttpRequest, handle: str) -> HttpResponse:
    shopper = shopper_for_request(request, create=False)
    try:
        found = creator_page(
            handle=handle, shopper=shopper, cursor=request.GET.get("cursor") or None, limit=CREATOR_PAGE_POSTS
        )
    except ApplicationError as error:
        raise Http404(error.message) from error
    if found is None:
        raise Http404("No creator has this handle.")
    context = {
        "page": found,
        "creator": found.creator,
        "posts": [{"item": item, "thumbnail": media_thumbnail(item)} for item in found.posts],
        "first_page": not request.GET.get("cursor"),
    }
    return render(request, "creators/creator.html", context)


@require_POST
def follow(request: HttpRequest, handle: str) -> HttpResponse:
    """The follow form: ``following=true`` follows, ``false`` unfollows; back to ``next`` (this
    site only) or the creator page, with a message saying what changed. CSRF-checked like every
    form; a creator whose page is not shown is not found, and anything but true/false is refused."""
    creator = creators_servable().filter(handle=handle).first()
    if creator is None:
        raise Http404("No creator has this handle.")
    wanted = request.POST.get("following")
    if wanted not in ("true", "false"):
        return HttpResponse("Say following=true or following=false.", status=400, content_type="text/plain")
    shopper = shopper_for_request(request)
    if wanted == "true":
        follow_create(shopper=shopper, creator=creator)
        messages.success(request, f"Following @{creator.handle}")
    else:
        follow_delete(shopper=shopper, creator=creator)
        messages.success(request, f"Unfollowed @{creator.handle}")
    return redirect(next_url(request, reverse("creator", args=[creator.handle])))
