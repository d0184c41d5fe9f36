"""The studio's pages: apply as a creator, then list, upload, edit, retry and delete posts.

Every page works without script: forms post here and the view redirects. ``static/js/studio.js``
enhances them (uploads through the API with a progress bar and Retry, tag and product search,
status polling). Each view validates with a form, calls a service, and renders or redirects.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from content.models import ContentItem, Creator
from content.studio import selectors
from content.studio.forms import CreatorForm, NewPostForm, PostForm, ProfileForm
from content.studio.services import (
    creator_apply,
    creator_update,
    studio_item_create,
    studio_item_delete,
    studio_item_retry,
    studio_item_update,
)
from feedsite.errors import ApplicationError
from feedsite.limits import limited

POSTS_PAGE = 20
Status = ContentItem.Status
# Which form field a service's refusal belongs to; the rest show above the form.
ERROR_FIELDS = {
    "invalid_handle": "handle",
    "handle_taken": "handle",
    "invalid_display_name": "display_name",
    "invalid_bio": "bio",
    "invalid_product": "products",
    "too_many_products": "products",
    "invalid_publish_at": "publish_at",
    "caption_too_long": "caption",
    "invalid_tags": "tags",
}


def _refuse(form: Any, error: ApplicationError, *, files_field: str | None = None) -> None:
    field = ERROR_FIELDS.get(error.code)
    if field is None and files_field is not None and "file" in error.extra:
        field = files_field
    form.add_error(field if field in form.fields else None, error.message)


def creator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else the sign-in page) and an approved creator (else the studio's front page)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        creator = selectors.creator_of(request.user)
        if creator is None or creator.status != Creator.Status.APPROVED:
            return redirect("studio")
        return view(request, creator, *args, **kwargs)

    return wrapped


@login_required
@require_http_methods(["GET", "POST"])
@limited("uploads")
def studio(request: HttpRequest) -> HttpResponse:
    """The application form (not a creator yet, or declined), its status (applied), or the posts."""
    creator = selectors.creator_of(request.user)
    if creator is not None and creator.status == Creator.Status.APPROVED:
        return _posts(request, creator)
    if creator is not None and creator.status == Creator.Status.APPLIED:
        return render(request, "studio/applied.html", {"creator": creator})
    form = CreatorForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            applied = creator_apply(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ApplicationError as error:
            _refuse(form, error)
        else:
            if applied.status == Creator.Status.APPROVED:
                messages.success(request, f"Welcome to the studio, @{applied.handle}!")
            return redirect("studio")
    return render(request, "studio/apply.html", {"form": form, "creator": creator})


def _posts(request: HttpRequest, creator: Creator) -> HttpResponse:
    cursor = request.GET.get("cursor", "")
    before = int(cursor) if cursor.isdigit() and len(cursor) < 19 else None
    items = selectors.studio_items(creator=creator, before_id=before, limit=POSTS_PAGE + 1)
    page = items[:POSTS_PAGE]
    states = selectors.studio_states(page)
    rows = [
        {
            "item": item,
            "reason": selectors.status_reason(item),
            "media": list(item.media_files.all()),
            "state": states[item.pk],
        }
        for item in page
    ]
    context = {
        "creator": creator,
        "rows": rows,
        "next_cursor": page[-1].pk if len(items) > POSTS_PAGE else None,
        "processing": any(item.status == Status.PROCESSING for item in page),
    }
    return render(request, "studio/posts.html", context)


@creator_required
@require_http_methods(["GET", "POST"])
@limited("uploads")
def post_new(request: HttpRequest, creator: Creator) -> HttpResponse:
    query = request.GET.get("product_q", "").strip()[:100]
    offered = selectors.product_search(query=query)
    form = NewPostForm(request.POST or None, request.FILES or None, offered=offered)
    if request.method == "POST" and form.is_valid():
        try:
            item, made = studio_item_create(
                creator=creator,
                files=form.cleaned_data["media"],
                fields=form.post_fields(),
                client_token=form.cleaned_data["client_token"],
            )
        except ApplicationError as error:
            _refuse(form, error, files_field="media")
        else:
            if made:
                messages.success(request, "Uploaded! We are preparing your media.")
            return redirect(f"{reverse('studio')}#post-{item.pk}")
    context = {"form": form, "creator": creator, "product_q": query, "searched": bool(query)}
    return render(request, "studio/new.html", context)


def _own_item(creator: Creator, item_id: int) -> ContentItem:
    item = selectors.studio_item(creator=creator, item_id=item_id)
    if item is None:
        raise Http404("You have no post with this id.")
    return item


@creator_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, creator: Creator, item_id: int) -> HttpResponse:
    item = _own_item(creator, item_id)
    query = request.GET.get("product_q", "").strip()[:100]
    linked = [link.product for link in item.product_links.all()]
    offered = linked + [p for p in selectors.product_search(query=query) if p not in linked]
    local = item.publish_at
    initial = {
        "caption": item.caption,
        "tags": ", ".join(tag.name for tag in item.tags.all()),
        "products": [p.pk for p in linked],
        "when": "schedule"
        if item.publish_at and item.status != Status.PUBLISHED
        else ("draft" if item.intent == ContentItem.Intent.DRAFT else "now"),
        "publish_at": local.replace(tzinfo=None) if local else None,
        "timezone": "UTC",
    }
    form = PostForm(request.POST or None, initial=initial, offered=offered)
    if request.method == "POST" and form.is_valid():
        try:
            studio_item_update(
                creator=creator,
                item_id=item.pk,
                fields=form.post_fields(),
                changed={"caption", "tags", "product_ids", "intent", "publish_at"},
            )
        except ApplicationError as error:
            _refuse(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(f"{reverse('studio')}#post-{item.pk}")
    context = {"form": form, "creator": creator, "item": item, "product_q": query, "searched": bool(query)}
    return render(request, "studio/edit.html", context)


@creator_required
@require_POST
def post_delete(request: HttpRequest, creator: Creator, item_id: int) -> HttpResponse:
    try:
        studio_item_delete(creator=creator, item_id=item_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Deleted: the post has left every feed.")
    return redirect("studio")


@creator_required
@require_POST
def post_retry(request: HttpRequest, creator: Creator, item_id: int) -> HttpResponse:
    try:
        studio_item_retry(creator=creator, item_id=item_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Processing again.")
    return redirect(f"{reverse('studio')}#post-{item_id}")


@creator_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, creator: Creator) -> HttpResponse:
    initial = {"display_name": creator.display_name, "bio": creator.bio}
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            creator_update(creator=creator, **form.cleaned_data)
        except ApplicationError as error:
            _refuse(form, error)
        else:
            messages.success(request, "Profile saved.")
            return redirect("studio-profile")
    return render(request, "studio/profile.html", {"form": form, "creator": creator})
