"""The studio's appeal page: a creator reads why their post was rejected or removed and appeals, once.

Works without script: the form posts here and the view redirects to the studio's posts.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from content.models import Creator
from content.studio import selectors as studio_selectors
from feedsite.errors import ApplicationError
from feedsite.limits import limited
from moderation.appeals.forms import AppealForm
from moderation.appeals.services import appeal_create


@login_required
@require_http_methods(["GET", "POST"])
@limited("uploads")
def appeal(request: HttpRequest, item_id: int) -> HttpResponse:
    creator = studio_selectors.creator_of(request.user)
    if creator is None or creator.status != Creator.Status.APPROVED:
        return redirect("studio")
    item = studio_selectors.studio_item(creator=creator, item_id=item_id)
    if item is None:
        raise Http404("You have no post with this id.")
    back = f"{reverse('studio')}#post-{item.pk}"
    state = studio_selectors.studio_states([item])[item.pk]
    if not state["can_appeal"]:
        messages.error(request, "This post cannot be appealed: only a moderator's rejection or removal can, once.")
        return redirect(back)
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal_create(creator=creator, item=item, message=form.cleaned_data["message"])
        except ApplicationError as error:
            form.add_error("message" if error.code.startswith("message") else None, error.message)
        else:
            messages.success(request, "Appeal sent: a different moderator will review your post.")
            return redirect(back)
    context = {"creator": creator, "item": item, "state": state, "form": form, "back": back}
    return render(request, "studio/appeal.html", context)
