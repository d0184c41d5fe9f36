"""The creator page ``/@<handle>``: server-rendered; the follow button uses the follow API
(``static/js/creator.js``), each post opens in the feed player (``/c/<id>``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from content.selectors import media_thumbnail
from feedsite.errors import ApplicationError
from profiles.creators.selectors import creator_page
from profiles.services import shopper_for_request

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
